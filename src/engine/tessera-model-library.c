/* tessera-model-library.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-model-library"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "formats/tessera-formats-private.h"
#include "models/tessera-checkpoint.h"
#include "models/tessera-model-private.h"
#include "models/tessera-network-private.h"
#include "tessera-model-library.h"

/**
 * TesseraModelLibrary:
 *
 * The models the user has: every model file in
 * `$XDG_DATA_HOME/tessera/models`, in each `$XDG_DATA_DIRS/tessera/models`,
 * in the folders of `TESSERA_MODEL_PATH` (colon-separated) and in folders
 * added later (Stable Diffusion web UI's `models/ESRGAN`, say), and in
 * their subfolders. A file that cannot be read is listed with its error;
 * it never hides the others.
 *
 * Stable Diffusion checkpoints in the same folders (A1111's
 * `models/Stable-diffusion`, ComfyUI's `models/checkpoints`), single files
 * and diffusers folders alike, are listed apart: a file that is no
 * upscaling model but reads as a checkpoint is one. Reading one maps the
 * file and looks at its keys and shapes; no weights are loaded.
 *
 * Tessera manages the first folder, the user's: models are imported into
 * it and only its models can be removed. Once watched, the list follows
 * the folders as files come and go.
 */
struct _TesseraModelLibrary
{
  GObject       parent_instance;

  GFile        *user_folder;
  GPtrArray    *folders;       /* GFile, the user folder first */
  GListStore   *models;        /* TesseraModel */
  GListStore   *checkpoints;   /* TesseraCheckpoint */
  GHashTable   *known;         /* GFile → Known, as the last scan found them */

  /* The models again, for tessera_model_library_find() from an upscale's
   * thread while a rescan changes the list store. */
  GMutex        lock;
  GPtrArray    *snapshot;      /* TesseraModel */

  GMainContext *context;       /* set by tessera_model_library_watch() */
  GHashTable   *monitors;      /* GFile folder → GFileMonitor */
  GSource      *rescan_source;
};

/* A model file's stamp tells a rescan whether it must be read again. */
typedef struct
{
  TesseraModel      *model;       /* or */
  TesseraCheckpoint *checkpoint;
  char              *stamp;
} Known;

G_DEFINE_FINAL_TYPE (TesseraModelLibrary, tessera_model_library, G_TYPE_OBJECT)

#define MAX_DEPTH 4

/* Writing a file sends several events; one rescan follows them all. */
#define RESCAN_DELAY_MS 300


static void
known_free (gpointer data)
{
  Known *known = data;

  g_clear_object (&known->model);
  g_clear_object (&known->checkpoint);
  g_free (known->stamp);
  g_free (known);
}

static void
monitor_free (gpointer data)
{
  g_file_monitor_cancel (data);
  g_object_unref (data);
}

static void
tessera_model_library_dispose (GObject *object)
{
  TesseraModelLibrary *self = (TesseraModelLibrary *) object;

  if (self->rescan_source != NULL)
    g_source_destroy (self->rescan_source);
  g_clear_pointer (&self->rescan_source, g_source_unref);
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_pointer (&self->snapshot, g_ptr_array_unref);
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  g_clear_object (&self->models);
  g_clear_object (&self->checkpoints);
  g_clear_object (&self->user_folder);

  G_OBJECT_CLASS (tessera_model_library_parent_class)->dispose (object);
}

static void
tessera_model_library_finalize (GObject *object)
{
  TesseraModelLibrary *self = (TesseraModelLibrary *) object;

  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tessera_model_library_parent_class)->finalize (object);
}

static void
tessera_model_library_class_init (TesseraModelLibraryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tessera_model_library_dispose;
  object_class->finalize = tessera_model_library_finalize;
}

static void
add_folder_path (TesseraModelLibrary *self,
                 const char          *path)
{
  g_autoptr(GFile) folder = g_file_new_for_path (path);

  tessera_model_library_add_folder (self, folder);
}

static void
tessera_model_library_init (TesseraModelLibrary *self)
{
  const char * const *system_dirs = g_get_system_data_dirs ();
  const char *extra = g_getenv ("TESSERA_MODEL_PATH");
  g_autofree char *user = g_build_filename (g_get_user_data_dir (), "tessera", "models", NULL);

  g_mutex_init (&self->lock);
  self->user_folder = g_file_new_for_path (user);
  self->folders = g_ptr_array_new_with_free_func (g_object_unref);
  self->models = g_list_store_new (TESSERA_TYPE_MODEL);
  self->checkpoints = g_list_store_new (TESSERA_TYPE_CHECKPOINT);
  self->snapshot = g_ptr_array_new_with_free_func (g_object_unref);
  self->known = g_hash_table_new_full (g_file_hash, (GEqualFunc) g_file_equal, g_object_unref, known_free);

  tessera_model_library_add_folder (self, self->user_folder);
  for (guint i = 0; system_dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (system_dirs[i], "tessera", "models", NULL);

      add_folder_path (self, path);
    }

  if (extra != NULL)
    {
      g_auto(GStrv) paths = g_strsplit (extra, G_SEARCHPATH_SEPARATOR_S, -1);

      for (guint i = 0; paths[i] != NULL; i++)
        if (paths[i][0] != '\0')
          add_folder_path (self, paths[i]);
    }
}

TesseraModelLibrary *
tessera_model_library_new (void)
{
  return g_object_new (TESSERA_TYPE_MODEL_LIBRARY, NULL);
}

/**
 * tessera_model_library_get_folders:
 *
 * Returns: (transfer none) (element-type GFile): the folders searched
 */
GPtrArray *
tessera_model_library_get_folders (TesseraModelLibrary *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL_LIBRARY (self), NULL);

  return self->folders;
}

/**
 * tessera_model_library_get_user_folder:
 *
 * Returns: (transfer none): `$XDG_DATA_HOME/tessera/models`, the first
 *   folder, where models are imported; it may not exist yet
 */
GFile *
tessera_model_library_get_user_folder (TesseraModelLibrary *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL_LIBRARY (self), NULL);

  return self->user_folder;
}

/**
 * tessera_model_library_add_folder:
 * @folder: a folder of models, which need not exist yet
 *
 * Searches @folder too, from the next scan on; a watched library scans
 * at once.
 */
void
tessera_model_library_add_folder (TesseraModelLibrary *self,
                                  GFile               *folder)
{
  g_return_if_fail (TESSERA_IS_MODEL_LIBRARY (self));
  g_return_if_fail (G_IS_FILE (folder));

  for (guint i = 0; i < self->folders->len; i++)
    if (g_file_equal (g_ptr_array_index (self->folders, i), folder))
      return;

  g_ptr_array_add (self->folders, g_object_ref (folder));
  if (self->context != NULL)
    tessera_model_library_scan (self, NULL);
}

/**
 * tessera_model_library_remove_folder:
 * @folder: a folder added before; not the user folder
 *
 * Stops searching @folder, from the next scan on; a watched library
 * scans at once. Nothing in @folder is touched.
 */
void
tessera_model_library_remove_folder (TesseraModelLibrary *self,
                                     GFile               *folder)
{
  g_return_if_fail (TESSERA_IS_MODEL_LIBRARY (self));
  g_return_if_fail (G_IS_FILE (folder));
  g_return_if_fail (!g_file_equal (folder, self->user_folder));

  for (guint i = 0; i < self->folders->len; i++)
    {
      if (!g_file_equal (g_ptr_array_index (self->folders, i), folder))
        continue;

      g_ptr_array_remove_index (self->folders, i);
      if (self->context != NULL)
        tessera_model_library_scan (self, NULL);
      return;
    }
}

/**
 * tessera_model_library_get_models:
 *
 * Returns: (transfer none): a list of #TesseraModel, those that failed to
 *   load with their error
 */
GListModel *
tessera_model_library_get_models (TesseraModelLibrary *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL_LIBRARY (self), NULL);

  return G_LIST_MODEL (self->models);
}

/**
 * tessera_model_library_get_checkpoints:
 *
 * Returns: (transfer none): a list of #TesseraCheckpoint, the Stable
 *   Diffusion checkpoints found in the folders, in the order of the folders
 *   and then of their names
 */
GListModel *
tessera_model_library_get_checkpoints (TesseraModelLibrary *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL_LIBRARY (self), NULL);

  return G_LIST_MODEL (self->checkpoints);
}

/**
 * tessera_model_library_find:
 * @name: a model's name, as tessera_model_get_name() gives it
 *
 * May be called from any thread.
 *
 * Returns: (transfer full) (nullable): the first model of that name,
 *   which may be one that cannot be used (see tessera_model_get_error()),
 *   or %NULL
 */
TesseraModel *
tessera_model_library_find (TesseraModelLibrary *self,
                            const char          *name)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (TESSERA_IS_MODEL_LIBRARY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  for (guint i = 0; i < self->snapshot->len; i++)
    {
      TesseraModel *model = g_ptr_array_index (self->snapshot, i);

      if (g_str_equal (tessera_model_get_name (model), name))
        return g_object_ref (model);
    }
  return NULL;
}

/**
 * tessera_model_library_get_file_extensions:
 *
 * Returns: (transfer none) (array zero-terminated=1): what the names of
 *   the model files the library lists end in, such as `.pth`; an ncnn
 *   model is its `.param`
 */
const char * const *
tessera_model_library_get_file_extensions (void)
{
  return tessera_format_list_extensions ();
}

static gboolean
is_model_file (const char *name)
{
  const char * const *extensions = tessera_format_list_extensions ();

  for (guint i = 0; extensions[i] != NULL; i++)
    if (g_str_has_suffix (name, extensions[i]))
      return TRUE;

  return FALSE;
}

/* A diffusers folder is one checkpoint, not folders of files to read. */
static gboolean
is_diffusers_folder (GFile *folder)
{
  g_autoptr(GFile) index = g_file_get_child (folder, "model_index.json");

  return g_file_query_file_type (index, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_REGULAR;
}

static void
append_stamp (GString *stamp,
              GFile   *file)
{
  g_autoptr(GFileInfo) info = NULL;

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info == NULL)
    {
      g_string_append (stamp, "-;");
      return;
    }

  g_string_append_printf (stamp, "%" G_GOFFSET_FORMAT ",%" G_GUINT64_FORMAT ".%u;",
                          g_file_info_get_size (info),
                          g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED),
                          g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC));
}

/* Size and modification time, with the weights' for a .param: what
 * changes when a model file is replaced. */
static char *
dup_stamp (GFile *file)
{
  g_autoptr(GString) stamp = g_string_new (NULL);
  g_autofree char *basename = g_file_get_basename (file);

  append_stamp (stamp, file);
  if (is_diffusers_folder (file))
    {
      g_autoptr(GFile) index = g_file_get_child (file, "model_index.json");

      append_stamp (stamp, index);
    }
  else if (g_str_has_suffix (basename, ".param"))
    {
      g_autoptr(GFile) bin = tessera_model_ncnn_bin_file (file);

      append_stamp (stamp, bin);
    }
  return g_string_free (g_steal_pointer (&stamp), FALSE);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char **) a, *(const char **) b);
}

/* Adds the model files and diffusers folders under @folder to @found and
 * the folders walked, @folder first even when it does not exist yet, to
 * @walked. */
static void
scan_folder (GFile        *folder,
             guint         depth,
             GPtrArray    *found,
             GPtrArray    *walked,
             GCancellable *cancellable)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GFileInfo *info;

  g_ptr_array_add (walked, g_object_ref (folder));
  enumerator = g_file_enumerate_children (folder,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                          G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN,
                                          G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  if (enumerator == NULL)
    return;

  while ((info = g_file_enumerator_next_file (enumerator, cancellable, NULL)) != NULL)
    {
      g_autoptr(GFileInfo) owned = info;
      const char *name = g_file_info_get_name (info);

      if (g_file_info_get_is_hidden (info))
        continue;

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          g_autoptr(GFile) child = g_file_get_child (folder, name);

          if (is_diffusers_folder (child))
            g_ptr_array_add (names, g_strdup (name));
          else if (depth < MAX_DEPTH)
            scan_folder (child, depth + 1, found, walked, cancellable);
          continue;
        }

      if (is_model_file (name))
        g_ptr_array_add (names, g_strdup (name));
    }

  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (found, g_file_get_child (folder, g_ptr_array_index (names, i)));
}

static gboolean
rescan_cb (gpointer user_data)
{
  TesseraModelLibrary *self = user_data;

  g_clear_pointer (&self->rescan_source, g_source_unref);
  tessera_model_library_scan (self, NULL);

  return G_SOURCE_REMOVE;
}

/* Whether a change to @file can change the list: hidden files, such as
 * the temporary files of an import, cannot. */
static gboolean
concerns_models (TesseraModelLibrary *self,
                 GFile               *file)
{
  g_autofree char *name = g_file_get_basename (file);

  if (name == NULL || name[0] == '.')
    return FALSE;

  return is_model_file (name) ||
         g_str_has_suffix (name, ".bin") ||
         g_hash_table_contains (self->monitors, file) ||
         g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY;
}

static void
on_folder_changed_cb (GFileMonitor        *monitor,
                      GFile               *file,
                      GFile               *other_file,
                      GFileMonitorEvent    event,
                      TesseraModelLibrary *self)
{
  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_RENAMED:
      break;
    default:
      return;
    }

  if (!concerns_models (self, file) && (other_file == NULL || !concerns_models (self, other_file)))
    return;

  if (self->rescan_source != NULL)
    g_source_destroy (self->rescan_source);
  g_clear_pointer (&self->rescan_source, g_source_unref);

  self->rescan_source = g_timeout_source_new (RESCAN_DELAY_MS);
  g_source_set_callback (self->rescan_source, rescan_cb, self, NULL);
  g_source_attach (self->rescan_source, self->context);
}

/* Monitors exactly @folders, keeping the monitors of those watched already. */
static void
watch_folders (TesseraModelLibrary *self,
               GPtrArray           *folders)
{
  g_autoptr(GHashTable) old = g_steal_pointer (&self->monitors);

  self->monitors = g_hash_table_new_full (g_file_hash, (GEqualFunc) g_file_equal,
                                          g_object_unref, monitor_free);

  for (guint i = 0; i < folders->len; i++)
    {
      GFile *folder = g_ptr_array_index (folders, i);
      gpointer key = NULL;
      gpointer monitor = NULL;

      if (g_hash_table_contains (self->monitors, folder))
        continue;

      if (old != NULL && g_hash_table_steal_extended (old, folder, &key, &monitor))
        {
          g_object_unref (key);
        }
      else
        {
          g_autoptr(GError) error = NULL;

          monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
          if (monitor == NULL)
            {
              g_autofree char *name = g_file_get_parse_name (folder);

              g_debug ("Not watching %s: %s", name, error->message);
              continue;
            }
          g_signal_connect_object (monitor, "changed", G_CALLBACK (on_folder_changed_cb), self, 0);
        }

      g_hash_table_insert (self->monitors, g_object_ref (folder), monitor);
    }
}

/* Reads @file as an upscaling model, or else as a Stable Diffusion
 * checkpoint; a file that is neither is listed as a model that failed,
 * with the model's error. */
static gboolean
read_file (Known        *entry,
           GFile        *file,
           GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) checkpoint_error = NULL;

  if (!is_diffusers_folder (file))
    {
      entry->model = tessera_model_new_from_file (file, cancellable, &error);
      if (entry->model != NULL)
        return TRUE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return FALSE;
    }

  entry->checkpoint = tessera_checkpoint_new_from_file (file, cancellable, &checkpoint_error);
  if (entry->checkpoint != NULL)
    return TRUE;
  if (g_error_matches (checkpoint_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;

  entry->model = tessera_model_new_failed (file, error != NULL ? error : checkpoint_error);
  return TRUE;
}

/* Replaces @store's items with @items unless they are the same. */
static gboolean
update_store (GListStore *store,
              GPtrArray  *items)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (store));
  gboolean changed = n_items != items->len;

  for (guint i = 0; !changed && i < n_items; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), i);

      changed = item != g_ptr_array_index (items, i);
    }
  if (changed)
    g_list_store_splice (store, 0, n_items, items->pdata, items->len);
  return changed;
}

/**
 * tessera_model_library_scan:
 * @self: a #TesseraModelLibrary
 * @cancellable: (nullable): a #GCancellable
 *
 * Reads every model file and checkpoint in the folders again, except
 * those unchanged since the last scan; the lists change only if a model
 * or a checkpoint did. Files are mapped, not copied: a large collection
 * costs little memory.
 */
void
tessera_model_library_scan (TesseraModelLibrary *self,
                            GCancellable        *cancellable)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) walked = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) checkpoints = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) known = NULL;

  g_return_if_fail (TESSERA_IS_MODEL_LIBRARY (self));

  known = g_hash_table_new_full (g_file_hash, (GEqualFunc) g_file_equal, g_object_unref, known_free);
  for (guint i = 0; i < self->folders->len; i++)
    scan_folder (g_ptr_array_index (self->folders, i), 0, files, walked, cancellable);

  for (guint i = 0; i < files->len; i++)
    {
      GFile *file = g_ptr_array_index (files, i);
      g_autofree char *stamp = dup_stamp (file);
      Known *old = g_hash_table_lookup (self->known, file);
      Known *entry = g_new0 (Known, 1);

      if (old != NULL && g_str_equal (old->stamp, stamp))
        {
          g_set_object (&entry->model, old->model);
          g_set_object (&entry->checkpoint, old->checkpoint);
        }
      else if (!read_file (entry, file, cancellable))
        {
          known_free (entry);
          return;
        }

      entry->stamp = g_steal_pointer (&stamp);
      g_hash_table_replace (known, g_object_ref (file), entry);
      if (entry->model != NULL)
        g_ptr_array_add (models, g_object_ref (entry->model));
      else
        g_ptr_array_add (checkpoints, g_object_ref (entry->checkpoint));
    }

  g_clear_pointer (&self->known, g_hash_table_unref);
  self->known = g_steal_pointer (&known);
  if (self->context != NULL)
    watch_folders (self, walked);

  g_mutex_lock (&self->lock);
  g_ptr_array_unref (self->snapshot);
  self->snapshot = g_ptr_array_ref (models);
  g_mutex_unlock (&self->lock);

  update_store (self->models, models);
  update_store (self->checkpoints, checkpoints);
}

/**
 * tessera_model_library_watch:
 *
 * Scans the folders, then follows them and their subfolders: a model
 * file that appears, changes or goes is picked up by a rescan soon after,
 * in the thread-default main context of the caller. Adding or removing a
 * folder scans at once from now on.
 */
void
tessera_model_library_watch (TesseraModelLibrary *self)
{
  g_return_if_fail (TESSERA_IS_MODEL_LIBRARY (self));

  if (self->context != NULL)
    return;

  self->context = g_main_context_ref_thread_default ();
  tessera_model_library_scan (self, NULL);
}

/**
 * tessera_model_library_is_user_model:
 *
 * Returns: whether @model lies in the user folder, where Tessera may
 *   remove it
 */
gboolean
tessera_model_library_is_user_model (TesseraModelLibrary *self,
                                     TesseraModel        *model)
{
  g_return_val_if_fail (TESSERA_IS_MODEL_LIBRARY (self), FALSE);
  g_return_val_if_fail (TESSERA_IS_MODEL (model), FALSE);

  return g_file_has_prefix (tessera_model_get_file (model), self->user_folder);
}

/* The loader's messages start with the file's name, which ours already gave. */
static const char *
skip_name (const char *message,
           const char *name)
{
  gsize length = strlen (name);

  if (strncmp (message, name, length) == 0 && g_str_has_prefix (message + length, ": "))
    return message + length + 2;
  return message;
}

static gboolean
copy_file (GFile         *source,
           GFile         *target,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(TesseraOutputFile) output = NULL;
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GError) local_error = NULL;

  input = g_file_read (source, cancellable, &local_error);
  if (input == NULL)
    {
      tessera_file_set_io_error (error, source, local_error);
      return FALSE;
    }

  output = tessera_output_file_open (target, error);
  if (output == NULL)
    return FALSE;

  if (g_output_stream_splice (tessera_output_file_get_stream (output), G_INPUT_STREAM (input),
                              G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, cancellable, &local_error) < 0)
    {
      tessera_file_set_io_error (error, target, local_error);
      return FALSE;
    }

  return tessera_output_file_commit (output, cancellable, error);
}

static gboolean
refuse_existing (GFile   *target,
                 GFile   *folder,
                 GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *folder_name = NULL;

  if (!g_file_query_exists (target, NULL))
    return TRUE;

  name = tessera_file_dup_display_name (target);
  folder_name = g_file_get_parse_name (folder);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("%s: a file of that name is already in %s; remove it first"), name, folder_name);
  return FALSE;
}

/* Copies @file, with the weights of an ncnn .param, into @folder once the
 * engine has built its network, and returns the copy. Each file is written
 * under a temporary name and renamed, so that a failure leaves nothing
 * behind. */
static GFile *
import_file (GFile         *folder,
             GFile         *file,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *name = tessera_file_dup_display_name (file);
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *folder_name = g_file_get_parse_name (folder);
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(GFile) target = NULL;
  g_autoptr(GFile) bin = NULL;
  g_autoptr(GFile) bin_target = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_file_has_prefix (file, folder))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%s is already in %s"), name, folder_name);
      return NULL;
    }

  /* The library lists files by their extension: another would never show. */
  if (basename == NULL || !is_model_file (basename))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                   _("%s: not a model Tessera can run: the name does not end in "
                     ".pth, .pt, .ckpt, .safetensors, .param or .json"), name);
      return NULL;
    }

  model = tessera_model_new_from_file (file, cancellable, &local_error);
  if (model != NULL && !tessera_model_get_supported (model))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   /* Translators: the file, the architecture, then why: "it uses an absolute position embedding…" */
                   _("%s: not a model Tessera can run: the %s model is recognised, but %s"),
                   name, tessera_arch_get_title (tessera_model_get_arch (model)),
                   tessera_model_get_not_run_reason (model));
      return NULL;
    }

  /* Reading the file is not enough: building the network finds tensors
   * of the wrong shape. */
  if (model != NULL)
    network = tessera_network_new (model, &local_error);
  if (network == NULL)
    {
      if (local_error->domain == G_IO_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, local_error->domain, local_error->code,
                     _("%s: not a model Tessera can run: %s"), name, skip_name (local_error->message, name));
      return NULL;
    }

  target = g_file_get_child (folder, basename);
  if (!refuse_existing (target, folder, error))
    return NULL;

  if (tessera_model_get_format (model) == TESSERA_MODEL_FORMAT_NCNN)
    {
      g_autofree char *bin_basename = NULL;

      bin = tessera_model_ncnn_bin_file (file);
      bin_basename = g_file_get_basename (bin);
      bin_target = g_file_get_child (folder, bin_basename);
      if (!refuse_existing (bin_target, folder, error))
        return NULL;
    }

  if (!g_file_make_directory_with_parents (folder, NULL, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("cannot make the folder %s: %s"), folder_name, local_error->message);
      return NULL;
    }

  /* The weights first: the .param is what the library lists. */
  if (bin != NULL && !copy_file (bin, bin_target, cancellable, error))
    return NULL;

  if (!copy_file (file, target, cancellable, error))
    {
      if (bin_target != NULL)
        g_file_delete (bin_target, NULL, NULL);
      return NULL;
    }

  return g_steal_pointer (&target);
}

/* Scans, so that the list has the copy, and returns its model. */
static TesseraModel *
find_imported (TesseraModelLibrary  *self,
               GFile                *copy,
               GError              **error)
{
  GListModel *models = G_LIST_MODEL (self->models);
  g_autofree char *name = NULL;
  g_autofree char *folder_name = NULL;

  tessera_model_library_scan (self, NULL);
  for (guint i = 0; i < g_list_model_get_n_items (models); i++)
    {
      g_autoptr(TesseraModel) model = g_list_model_get_item (models, i);

      if (g_file_equal (tessera_model_get_file (model), copy))
        return g_steal_pointer (&model);
    }

  /* Someone removed it already. */
  name = tessera_file_dup_display_name (copy);
  folder_name = g_file_get_parse_name (self->user_folder);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("%s: copied into %s, but gone from it since"), name, folder_name);
  return NULL;
}

static void
import_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TesseraModelLibrary *self = source_object;
  GError *error = NULL;
  GFile *copy;

  copy = import_file (self->user_folder, task_data, cancellable, &error);
  if (copy == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, copy, g_object_unref);
}

/**
 * tessera_model_library_import_async:
 * @file: a model file, as tessera_model_new_from_file() reads it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the model is imported or refused
 * @user_data: data for @callback
 *
 * Copies a model into the user folder, in a thread: it must be a model
 * Tessera can run, whose name is not taken there yet. An ncnn `.param`
 * comes with the `.bin` beside it. A failed or cancelled import leaves
 * nothing behind.
 */
void
tessera_model_library_import_async (TesseraModelLibrary *self,
                                    GFile               *file,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TESSERA_IS_MODEL_LIBRARY (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_model_library_import_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  /* Once copied, the model is there: say so even if cancelled late. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, import_worker);
}

/**
 * tessera_model_library_import_finish:
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Scans the library, which then lists the imported model.
 *
 * Returns: (transfer full): the imported model, or %NULL with an error
 *   that names the file and the cause
 */
TesseraModel *
tessera_model_library_import_finish (TesseraModelLibrary  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_autoptr(GFile) copy = NULL;

  g_return_val_if_fail (TESSERA_IS_MODEL_LIBRARY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  copy = g_task_propagate_pointer (G_TASK (result), error);
  if (copy == NULL)
    return NULL;

  return find_imported (self, copy, error);
}

/**
 * tessera_model_library_import:
 * @file: a model file, as tessera_model_new_from_file() reads it
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Does what tessera_model_library_import_async() does, blocking.
 *
 * Returns: (transfer full): the imported model, or %NULL with an error
 *   that names the file and the cause
 */
TesseraModel *
tessera_model_library_import (TesseraModelLibrary  *self,
                              GFile                *file,
                              GCancellable         *cancellable,
                              GError              **error)
{
  g_autoptr(GFile) copy = NULL;

  g_return_val_if_fail (TESSERA_IS_MODEL_LIBRARY (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  copy = import_file (self->user_folder, file, cancellable, error);
  if (copy == NULL)
    return NULL;

  return find_imported (self, copy, error);
}

/**
 * tessera_model_library_remove:
 * @model: a model of the user folder
 * @error: return location for a #GError
 *
 * Deletes the model's file, and the `.bin` of an ncnn `.param`, then
 * scans. Models in other folders are the user's own to manage: they are
 * refused with %G_IO_ERROR_PERMISSION_DENIED.
 *
 * Returns: whether the model was removed
 */
gboolean
tessera_model_library_remove (TesseraModelLibrary  *self,
                              TesseraModel         *model,
                              GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *basename = NULL;
  GFile *file;

  g_return_val_if_fail (TESSERA_IS_MODEL_LIBRARY (self), FALSE);
  g_return_val_if_fail (TESSERA_IS_MODEL (model), FALSE);

  file = tessera_model_get_file (model);
  name = tessera_file_dup_display_name (file);
  basename = g_file_get_basename (file);

  if (!tessera_model_library_is_user_model (self, model))
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *folder_name = parent != NULL ? g_file_get_parse_name (parent) : g_strdup ("/");

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("%s is in %s, which Tessera does not manage"), name, folder_name);
      return FALSE;
    }

  if (!g_file_delete (file, NULL, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      tessera_file_set_io_error (error, file, local_error);
      return FALSE;
    }
  g_clear_error (&local_error);

  if (tessera_model_get_format (model) == TESSERA_MODEL_FORMAT_NCNN ||
      g_str_has_suffix (basename, ".param"))
    {
      g_autoptr(GFile) bin = tessera_model_ncnn_bin_file (file);

      if (!g_file_delete (bin, NULL, &local_error) &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          tessera_file_set_io_error (error, bin, local_error);
          tessera_model_library_scan (self, NULL);
          return FALSE;
        }
    }

  tessera_model_library_scan (self, NULL);
  return TRUE;
}
