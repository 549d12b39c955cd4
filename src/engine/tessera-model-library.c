/* tessera-model-library.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-model-library"

#include "config.h"

#include <string.h>

#include "tessera-model-library.h"
#include "tessera-model-private.h"

/**
 * TesseraModelLibrary:
 *
 * The models the user has: every model file in
 * `$XDG_DATA_HOME/tessera/models`, in each `$XDG_DATA_DIRS/tessera/models`,
 * in the folders of `TESSERA_MODEL_PATH` (colon-separated) and in folders
 * added later (Stable Diffusion web UI's `models/ESRGAN`, say), and in
 * their subfolders. A file that cannot be read is listed with its error;
 * it never hides the others.
 */
struct _TesseraModelLibrary
{
  GObject     parent_instance;

  GPtrArray  *folders;    /* GFile */
  GListStore *models;     /* TesseraModel */
};

G_DEFINE_FINAL_TYPE (TesseraModelLibrary, tessera_model_library, G_TYPE_OBJECT)

#define MAX_DEPTH 4

/* What a model file is called; a .bin is the weights of the .param beside it. */
static const char *model_extensions[] = { ".pth", ".pt", ".ckpt", ".safetensors", ".param", ".json" };

static void
tessera_model_library_dispose (GObject *object)
{
  TesseraModelLibrary *self = (TesseraModelLibrary *) object;

  g_clear_pointer (&self->folders, g_ptr_array_unref);
  g_clear_object (&self->models);

  G_OBJECT_CLASS (tessera_model_library_parent_class)->dispose (object);
}

static void
tessera_model_library_class_init (TesseraModelLibraryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tessera_model_library_dispose;
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

  self->folders = g_ptr_array_new_with_free_func (g_object_unref);
  self->models = g_list_store_new (TESSERA_TYPE_MODEL);

  add_folder_path (self, user);
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
 * tessera_model_library_find:
 * @name: a model's name, as tessera_model_get_name() gives it
 *
 * Returns: (transfer full) (nullable): the first model of that name,
 *   which may be one that cannot be used (see tessera_model_get_error()),
 *   or %NULL
 */
TesseraModel *
tessera_model_library_find (TesseraModelLibrary *self,
                            const char          *name)
{
  g_return_val_if_fail (TESSERA_IS_MODEL_LIBRARY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->models)); i++)
    {
      g_autoptr(TesseraModel) model = g_list_model_get_item (G_LIST_MODEL (self->models), i);

      if (g_str_equal (tessera_model_get_name (model), name))
        return g_steal_pointer (&model);
    }
  return NULL;
}

static gboolean
is_model_file (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (model_extensions); i++)
    if (g_str_has_suffix (name, model_extensions[i]))
      return TRUE;

  return FALSE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char **) a, *(const char **) b);
}

static void
scan_folder (TesseraModelLibrary *self,
             GFile               *folder,
             guint                depth,
             GPtrArray           *found,
             GCancellable        *cancellable)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GFileInfo *info;

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
          if (depth < MAX_DEPTH)
            {
              g_autoptr(GFile) child = g_file_get_child (folder, name);

              scan_folder (self, child, depth + 1, found, cancellable);
            }
          continue;
        }

      if (is_model_file (name))
        g_ptr_array_add (names, g_strdup (name));
    }

  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (found, g_file_get_child (folder, g_ptr_array_index (names, i)));
}

/**
 * tessera_model_library_scan:
 * @self: a #TesseraModelLibrary
 * @cancellable: (nullable): a #GCancellable
 *
 * Reads every model file in the folders again. Files are mapped, not
 * copied: a large collection costs little memory.
 */
void
tessera_model_library_scan (TesseraModelLibrary *self,
                            GCancellable        *cancellable)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (TESSERA_IS_MODEL_LIBRARY (self));

  for (guint i = 0; i < self->folders->len; i++)
    scan_folder (self, g_ptr_array_index (self->folders, i), 0, files, cancellable);

  for (guint i = 0; i < files->len; i++)
    {
      GFile *file = g_ptr_array_index (files, i);
      g_autoptr(GError) error = NULL;
      TesseraModel *model = tessera_model_new_from_file (file, cancellable, &error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_ptr_array_add (models, model != NULL ? model : tessera_model_new_failed (file, error));
    }

  g_list_store_splice (self->models, 0, g_list_model_get_n_items (G_LIST_MODEL (self->models)),
                       models->pdata, models->len);
}
