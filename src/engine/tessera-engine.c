/* tessera-engine.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-engine"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "backends/tessera-backend-private.h"
#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "core/tessera-memory-private.h"
#include "core/tessera-parallel-private.h"
#include "core/tessera-progress-private.h"
#include "image/tessera-resample-private.h"
#include "models/tessera-denoise-private.h"
#include "tessera-engine.h"
#include "tessera-model-library.h"
#include "tessera-redraw-private.h"
#include "tessera-runner-private.h"
#include "tessera-stream-private.h"
#include "tessera-version.h"

/**
 * TesseraEngine:
 *
 * Runs upscales. The application and tessera-cli both go through
 * tessera_engine_upscale_async(), which does the work in a thread and
 * reports progress in the caller's main context.
 *
 * An upscaler is a classic filter, a model file's path, or the name of a
 * model in the engine's #TesseraModelLibrary.
 */
typedef struct
{
  const TesseraRedrawNetworks *vtable;
  TesseraCheckpoint           *checkpoint;
  GFile                       *vae_file;
  char                        *device;
  TesseraPrecision             precision;
  gpointer                     nets;
} RedrawNetworksEntry;

struct _TesseraEngine
{
  GObject              parent_instance;

  GListStore          *upscalers;
  TesseraModelLibrary *library;
  GMutex               networks_lock;
  GQueue               networks;     /* NetworkEntry, most recently used first */
  guint                evictions;    /* networks dropped from the cache so far */
  /* A GPU backend kept between upscales with the weights it uploaded,
   * which are found by their host address: it is dropped once a network
   * leaves the cache, whose freed weights' addresses may come back. */
  TesseraBackend      *backend;
  char                *backend_key;
  guint                backend_evictions;
  /* A batch of redraws holds their networks: see
   * tessera_engine_hold_redraw_networks(). */
  GMutex               redraw_lock;
  guint                redraw_holds;
  RedrawNetworksEntry *redraw_networks;
};

/* Networks stay loaded between upscales, so that a batch reads and
 * converts its model once. */
#define MAX_CACHED_NETWORKS 2

typedef struct
{
  char           *key;
  TesseraNetwork *network;
} NetworkEntry;

static void
network_entry_free (gpointer data)
{
  NetworkEntry *entry = data;

  g_free (entry->key);
  tessera_network_unref (entry->network);
  g_free (entry);
}

G_DEFINE_FINAL_TYPE (TesseraEngine, tessera_engine, G_TYPE_OBJECT)

static const struct {
  const char    *name;
  const char    *title;
  const char    *description;
  TesseraFilter  filter;
} classic_upscalers[] = {
  { "nearest", N_("Nearest Neighbour"),
    N_("Repeats each pixel: hard edges, for pixel art"), TESSERA_FILTER_NEAREST },
  { "bilinear", N_("Bilinear"),
    N_("Straight-line blend of the four nearest pixels: soft"), TESSERA_FILTER_BILINEAR },
  { "bicubic", N_("Bicubic"),
    N_("Catmull-Rom cubic: sharper than bilinear"), TESSERA_FILTER_BICUBIC },
  { "lanczos", N_("Lanczos"),
    N_("Three-lobed windowed sinc: the sharpest classic filter"), TESSERA_FILTER_LANCZOS },
};

static void
redraw_networks_entry_free (gpointer data)
{
  RedrawNetworksEntry *entry = data;

  entry->vtable->free (entry->nets);
  g_clear_object (&entry->checkpoint);
  g_clear_object (&entry->vae_file);
  g_free (entry->device);
  g_free (entry);
}

static void
tessera_engine_dispose (GObject *object)
{
  TesseraEngine *self = (TesseraEngine *) object;

  if (self->library != NULL)
    g_signal_handlers_disconnect_by_data (tessera_model_library_get_models (self->library), self);
  g_clear_object (&self->library);
  g_clear_object (&self->upscalers);
  g_queue_clear_full (&self->networks, network_entry_free);
  g_clear_pointer (&self->backend, tessera_backend_free);
  g_clear_pointer (&self->backend_key, g_free);
  g_clear_pointer (&self->redraw_networks, redraw_networks_entry_free);

  G_OBJECT_CLASS (tessera_engine_parent_class)->dispose (object);
}

static void
tessera_engine_finalize (GObject *object)
{
  TesseraEngine *self = (TesseraEngine *) object;

  g_mutex_clear (&self->networks_lock);
  g_mutex_clear (&self->redraw_lock);

  G_OBJECT_CLASS (tessera_engine_parent_class)->finalize (object);
}

static void
tessera_engine_class_init (TesseraEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tessera_engine_dispose;
  object_class->finalize = tessera_engine_finalize;
}

static void
add_classic_upscalers (TesseraEngine *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (classic_upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = NULL;

      info = tessera_upscaler_info_new (classic_upscalers[i].name,
                                        g_dgettext (GETTEXT_PACKAGE, classic_upscalers[i].title),
                                        g_dgettext (GETTEXT_PACKAGE, classic_upscalers[i].description),
                                        TESSERA_UPSCALER_KIND_CLASSIC);
      g_list_store_append (self->upscalers, info);
    }
}

static void
tessera_engine_init (TesseraEngine *self)
{
  self->upscalers = g_list_store_new (TESSERA_TYPE_UPSCALER_INFO);
  g_mutex_init (&self->networks_lock);
  g_mutex_init (&self->redraw_lock);
  add_classic_upscalers (self);

  /* Early, in the thread making the engine: see tessera-blas.c. A failure
   * is reported by the first model upscale. */
  tessera_backend_load_all ();
}

TesseraEngine *
tessera_engine_new (void)
{
  return g_object_new (TESSERA_TYPE_ENGINE, NULL);
}

static char *
describe_model (TesseraModel *model)
{
  const char *dtype = tessera_model_get_dtype (model);

  return g_strdup_printf (_("%s ×%u, %.2f M parameters (%s), %s"),
                          tessera_arch_get_title (tessera_model_get_arch (model)),
                          tessera_model_get_scale (model),
                          tessera_model_get_n_params (model) / 1e6,
                          dtype != NULL ? dtype : "?",
                          tessera_model_format_to_string (tessera_model_get_format (model)));
}

static gboolean
same_upscaler (TesseraEngine       *self,
               guint                position,
               TesseraUpscalerInfo *info)
{
  g_autoptr(TesseraUpscalerInfo) old = g_list_model_get_item (G_LIST_MODEL (self->upscalers), position);

  return g_str_equal (tessera_upscaler_info_get_name (old), tessera_upscaler_info_get_name (info)) &&
         g_str_equal (tessera_upscaler_info_get_description (old), tessera_upscaler_info_get_description (info));
}

/* Brings the models after the classic filters in line with the library's
 * runnable ones. Only the span that differs is replaced, so that a list
 * bound to the upscalers keeps a selection outside it. */
static void
on_models_changed_cb (GListModel    *models,
                      guint          position,
                      guint          removed,
                      guint          added,
                      TesseraEngine *self)
{
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_classic = G_N_ELEMENTS (classic_upscalers);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->upscalers)) - n_classic;
  guint start = 0, end = 0;

  /* A model named like a filter or an earlier model could not be picked. */
  for (guint i = 0; i < n_classic; i++)
    g_hash_table_add (names, (gpointer) classic_upscalers[i].name);

  for (guint i = 0; models != NULL && i < g_list_model_get_n_items (models); i++)
    {
      g_autoptr(TesseraModel) model = g_list_model_get_item (models, i);
      g_autofree char *description = NULL;
      const char *name = tessera_model_get_name (model);

      if (tessera_model_get_error (model) != NULL || !tessera_model_get_supported (model) ||
          g_hash_table_contains (names, name))
        continue;

      g_hash_table_add (names, (gpointer) name);
      description = describe_model (model);
      g_ptr_array_add (infos, tessera_upscaler_info_new (name, name, description,
                                                         TESSERA_UPSCALER_KIND_MODEL));
    }

  while (start < MIN (n_old, infos->len) &&
         same_upscaler (self, n_classic + start, g_ptr_array_index (infos, start)))
    start++;
  if (start == n_old && start == infos->len)
    return;
  while (end < MIN (n_old, infos->len) - start &&
         same_upscaler (self, n_classic + n_old - 1 - end, g_ptr_array_index (infos, infos->len - 1 - end)))
    end++;

  g_list_store_splice (self->upscalers, n_classic + start, n_old - start - end,
                       infos->pdata + start, infos->len - start - end);
}

/**
 * tessera_engine_set_model_library:
 * @library: (nullable): the models to offer by name, already scanned
 *
 * Adds the runnable models of @library to the upscalers, after the
 * classic filters, and follows the library as it changes; a model is
 * picked by its name.
 */
void
tessera_engine_set_model_library (TesseraEngine       *self,
                                  TesseraModelLibrary *library)
{
  GListModel *models = NULL;

  g_return_if_fail (TESSERA_IS_ENGINE (self));
  g_return_if_fail (library == NULL || TESSERA_IS_MODEL_LIBRARY (library));

  if (self->library != NULL)
    g_signal_handlers_disconnect_by_func (tessera_model_library_get_models (self->library),
                                          on_models_changed_cb, self);
  g_set_object (&self->library, library);

  if (library != NULL)
    {
      models = tessera_model_library_get_models (library);
      g_signal_connect_object (models, "items-changed", G_CALLBACK (on_models_changed_cb), self, 0);
    }
  on_models_changed_cb (models, 0, 0, 0, self);
}

/**
 * tessera_engine_get_upscalers:
 *
 * Returns: (transfer none): a list of #TesseraUpscalerInfo, classic filters
 *   first, then the models of the library
 */
GListModel *
tessera_engine_get_upscalers (TesseraEngine *self)
{
  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);

  return G_LIST_MODEL (self->upscalers);
}

/**
 * tessera_engine_find_upscaler:
 * @name: an upscaler name, such as `lanczos`
 *
 * Returns: (transfer none) (nullable): the upscaler called @name
 */
TesseraUpscalerInfo *
tessera_engine_find_upscaler (TesseraEngine *self,
                              const char    *name)
{
  guint n;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->upscalers));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (G_LIST_MODEL (self->upscalers), i);

      if (g_str_equal (tessera_upscaler_info_get_name (info), name))
        return info;
    }

  return NULL;
}

typedef struct
{
  TesseraProgress *progress;
  const char      *text;
} ResampleProgress;

static void
on_resample_progress (double   fraction,
                      gpointer user_data)
{
  ResampleProgress *resample = user_data;

  tessera_progress_report (resample->progress, fraction, resample->text);
}

static TesseraFilter
find_filter (const char *name,
             gboolean   *found)
{
  for (guint i = 0; i < G_N_ELEMENTS (classic_upscalers); i++)
    if (g_str_equal (classic_upscalers[i].name, name))
      {
        *found = TRUE;
        return classic_upscalers[i].filter;
      }

  *found = FALSE;
  return TESSERA_FILTER_NEAREST;
}

static char *
describe_upscale (const char *upscaler,
                  guint       in_width,
                  guint       in_height,
                  guint       out_width,
                  guint       out_height)
{
  char scale_x[G_ASCII_DTOSTR_BUF_SIZE];
  char scale_y[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean uniform;

  g_ascii_formatd (scale_x, sizeof scale_x, "%.4g", (double) out_width / in_width);
  g_ascii_formatd (scale_y, sizeof scale_y, "%.4g", (double) out_height / in_height);
  uniform = g_str_equal (scale_x, scale_y);

  return g_strdup_printf ("upscaler: %s, scale: %s%s%s, size: %ux%u -> %ux%u, tessera: %s",
                          upscaler, scale_x, uniform ? "" : "x", uniform ? "" : scale_y,
                          in_width, in_height, out_width, out_height, TESSERA_VERSION_STRING);
}

/* What an upscaler name means: a classic filter, a model, or a chain of
 * models (“A+B”: A, then B on A's output). */
typedef struct
{
  gboolean      classic;
  TesseraFilter filter;
  TesseraModel *model;   /* the first of the chain */
  GPtrArray    *chain;   /* of TesseraModel, all of them; NULL for one */
} Upscaler;

static void
upscaler_clear (Upscaler *upscaler)
{
  g_clear_object (&upscaler->model);
  g_clear_pointer (&upscaler->chain, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Upscaler, upscaler_clear)

static gboolean resolve_upscaler (TesseraEngine  *self,
                                  const char     *name,
                                  Upscaler       *upscaler,
                                  GError        **error);

/* The models of a chain “A+B+…”, each resolved as an upscaler name; an
 * error names the model of the chain it is about. */
static gboolean
resolve_chain (TesseraEngine  *self,
               const char     *name,
               Upscaler       *upscaler,
               GError        **error)
{
  g_auto(GStrv) parts = g_strsplit (name, "+", -1);
  guint n = g_strv_length (parts);

  upscaler->chain = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      g_auto(Upscaler) part = { 0 };

      if (!resolve_upscaler (self, parts[i], &part, error))
        {
          g_prefix_error (error, _("model %u of %u in “%s”: "), i + 1, n, name);
          return FALSE;
        }
      if (part.classic)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                       _("model %u of %u in “%s”: “%s” is a classic filter; only models can be chained"),
                       i + 1, n, name, parts[i]);
          return FALSE;
        }
      g_ptr_array_add (upscaler->chain, g_steal_pointer (&part.model));
    }
  upscaler->model = g_object_ref (g_ptr_array_index (upscaler->chain, 0));
  return TRUE;
}

static gboolean
resolve_upscaler (TesseraEngine  *self,
                  const char     *name,
                  Upscaler       *upscaler,
                  GError        **error)
{
  *upscaler = (Upscaler) { FALSE, TESSERA_FILTER_NEAREST, NULL, NULL };

  upscaler->filter = find_filter (name, &upscaler->classic);
  if (upscaler->classic)
    return TRUE;

  if (g_file_test (name, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GFile) file = g_file_new_for_path (name);

      upscaler->model = tessera_model_new_from_file (file, NULL, error);
      return upscaler->model != NULL;
    }

  if (self->library != NULL)
    {
      g_autoptr(TesseraModel) model = tessera_model_library_find (self->library, name);

      if (model != NULL && tessera_model_get_error (model) != NULL)
        {
          g_propagate_error (error, g_error_copy (tessera_model_get_error (model)));
          return FALSE;
        }
      if (model != NULL)
        {
          upscaler->model = g_steal_pointer (&model);
          return TRUE;
        }
    }

  /* A name with a “+” that is no file or model is a chain; an empty part
   * (“A+”) is left to the message below. */
  if (strchr (name, '+') != NULL && !strstr (name, "++") && name[0] != '+' && !g_str_has_suffix (name, "+"))
    return resolve_chain (self, name, upscaler, error);

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
               _("unknown upscaler “%s”: not a classic filter, a model file or a model in the library"), name);
  return FALSE;
}

static TesseraNetwork *
load_network (GFile   *file,
              GError **error)
{
  g_autoptr(TesseraModel) model = tessera_model_new_from_file (file, NULL, error);

  return model != NULL ? tessera_network_new (model, error) : NULL;
}

/* The network for @model at a denoise level (negative: the model as it
 * is), from the cache when it is there. */
static TesseraNetwork *
get_network (TesseraEngine  *self,
             TesseraModel   *model,
             double          denoise,
             GError        **error)
{
  g_autofree char *path = g_file_get_path (tessera_model_get_file (model));
  g_autofree char *key = g_strdup_printf ("%s|%.4f", path, denoise);
  g_autoptr(TesseraNetwork) network = NULL;
  NetworkEntry *entry;

  g_mutex_lock (&self->networks_lock);
  for (GList *l = self->networks.head; l != NULL; l = l->next)
    {
      entry = l->data;
      if (g_str_equal (entry->key, key))
        {
          g_queue_unlink (&self->networks, l);
          g_queue_push_head_link (&self->networks, l);
          network = tessera_network_ref (entry->network);
          break;
        }
    }
  g_mutex_unlock (&self->networks_lock);
  if (network != NULL)
    return g_steal_pointer (&network);

  if (denoise < 0.0)
    network = tessera_network_new (model, error);
  else
    {
      g_autoptr(GFile) file = NULL;
      g_autoptr(GFile) twin = NULL;
      float weight;

      if (!tessera_denoise_resolve (model, denoise, &file, &twin, &weight, error))
        return NULL;
      network = load_network (file, error);
      if (network != NULL && tessera_denoise_is_input (model))
        tessera_network_set_noise_level (network, denoise);
      if (network != NULL && twin != NULL)
        {
          g_autoptr(TesseraNetwork) other = load_network (twin, error);

          if (other == NULL || !tessera_network_blend (network, other, weight, error))
            return NULL;
        }
    }
  if (network == NULL)
    return NULL;

  entry = g_new0 (NetworkEntry, 1);
  entry->key = g_steal_pointer (&key);
  entry->network = tessera_network_ref (network);
  g_mutex_lock (&self->networks_lock);
  g_queue_push_head (&self->networks, entry);
  while (g_queue_get_length (&self->networks) > MAX_CACHED_NETWORKS)
    {
      network_entry_free (g_queue_pop_tail (&self->networks));
      self->evictions++;
    }
  g_mutex_unlock (&self->networks_lock);

  return g_steal_pointer (&network);
}

/* What a tile may use: a quarter of the output's floats, which keeps a
 * large upscale near 1.25 times its output, but at least 192 MiB, where
 * networks still run tiles efficiently, and at most a quarter of the
 * memory. */
static gsize
memory_budget (guint    out_width,
               guint    out_height,
               gboolean has_alpha)
{
  gsize physical = (gsize) sysconf (_SC_PHYS_PAGES) * (gsize) sysconf (_SC_PAGESIZE);
  gsize output = (gsize) out_width * out_height * (has_alpha ? 4 : 3) * sizeof (float);
  gsize floor_bytes = 192u << 20;

  return MAX (floor_bytes, MIN (output / 4, physical / 4));
}

typedef struct
{
  TesseraProgress *progress;
  guint            pass;
  guint            n_passes;
  double           pass_scale;  /* the pass's input pixels per input pixel */
  gint64           start;
} TileProgress;

typedef struct
{
  TesseraTileFunc  func;
  gpointer         user_data;
  TesseraTileEvent event;
} TileUpdate;

static gboolean
deliver_tile_event (gpointer data)
{
  TileUpdate *update = data;

  update->func (&update->event, update->user_data);
  return G_SOURCE_REMOVE;
}

static void
tile_update_free (gpointer data)
{
  TileUpdate *update = data;

  g_clear_object (&update->event.plan);
  g_clear_object (&update->event.pixels);
  g_free (update);
}

static void
post_tile_event (TesseraProgress        *progress,
                 const TesseraTileEvent *event)
{
  TileUpdate *update;

  if (progress->event_func == NULL)
    return;

  update = g_new0 (TileUpdate, 1);
  update->func = (TesseraTileFunc) progress->event_func;
  update->user_data = progress->user_data;
  update->event = *event;
  g_object_ref (update->event.plan);
  if (update->event.pixels != NULL)
    g_object_ref (update->event.pixels);
  tessera_progress_post (progress, deliver_tile_event, update, tile_update_free);
}

static void
report_tile (TileProgress     *tiles,
             TesseraTilePlan  *plan,
             guint             index,
             TesseraTileState  state,
             TesseraImage     *pixels)
{
  TesseraRect core, region;
  TesseraTileEvent event;

  tessera_tile_plan_get_tile (plan, index, &core, &region);
  event = (TesseraTileEvent) {
    plan, index, state, tiles->pass,
    core.x / tiles->pass_scale, core.y / tiles->pass_scale,
    core.width / tiles->pass_scale, core.height / tiles->pass_scale,
    pixels,
  };
  post_tile_event (tiles->progress, &event);
}

static char *
time_left (double seconds)
{
  if (seconds < 1.0)
    return g_strdup (_("less than a second left"));
  if (seconds < 90.0)
    return g_strdup_printf (_("about %.0f s left"), seconds);
  return g_strdup_printf (_("about %.0f min left"), seconds / 60.0);
}

static void
on_tile_start (TesseraTilePlan *plan,
               guint            index,
               gpointer         user_data)
{
  report_tile (user_data, plan, index, TESSERA_TILE_RUNNING, NULL);
}

static void
on_tile_done (TesseraTilePlan *plan,
              guint            index,
              TesseraImage    *pixels,
              guint            done,
              guint            total,
              gpointer         user_data)
{
  TileProgress *tiles = user_data;
  double fraction = (tiles->pass + (double) done / total) / tiles->n_passes;
  double elapsed = (g_get_monotonic_time () - tiles->start) / (double) G_USEC_PER_SEC;
  double left = fraction > 0.0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  g_autofree char *left_text = time_left (left);
  g_autofree char *text = NULL;

  report_tile (tiles, plan, index, TESSERA_TILE_DONE, pixels);

  /* TRANSLATORS: the last %s is how long is left, such as “about 5 s left” */
  if (tiles->n_passes > 1)
    text = g_strdup_printf (_("Pass %u of %u, tile %u of %u, %s"), tiles->pass + 1, tiles->n_passes, done, total,
                            left_text);
  else
    text = g_strdup_printf (_("Tile %u of %u, %s"), done, total, left_text);
  tessera_progress_report (tiles->progress, fraction, text);
}

static void
on_retry (guint    tile,
          gpointer user_data)
{
  TileProgress *tiles = user_data;
  g_autofree char *text = g_strdup_printf (_("Out of GPU memory: starting again with %u-pixel tiles"), tile);

  tessera_progress_report (tiles->progress, tiles->pass / (double) tiles->n_passes, text);
}

static void TESSERA_VECTORIZE
clamp_rows (guint    begin,
            guint    end,
            gpointer user_data)
{
  TesseraImage *image = user_data;
  gsize width = tessera_image_get_width (image);
  float *values = tessera_image_get_plane (image, 0);

  for (gsize i = begin * width; i < end * width; i++)
    values[i] = CLAMP (values[i], 0.f, 1.f);
}

/* On every thread: a large output is hundreds of megabytes of floats. */
static void
clamp_planes (TesseraImage *image)
{
  guint n_planes = tessera_image_get_has_alpha (image) ? 4 : 3;

  tessera_parallel_for (tessera_image_get_height (image) * n_planes, clamp_rows, image);
}

static TesseraImage *
resample_to (TesseraImage     *image,
             guint             width,
             guint             height,
             TesseraFilter     filter,
             GCancellable     *cancellable,
             TesseraProgress  *progress,
             GError          **error)
{
  g_autoptr(TesseraImage) output = NULL;
  ResampleProgress resample_progress = { progress, _("Resampling") };

  output = tessera_image_new (width, height, tessera_image_get_has_alpha (image), error);
  if (output == NULL)
    return NULL;

  tessera_progress_report (progress, 0.0, resample_progress.text);
  if (!tessera_resample (image, output, filter, cancellable, on_resample_progress, &resample_progress, error))
    return NULL;
  return g_steal_pointer (&output);
}

/* The CUDA device a device string names: 0 for "auto" and "cuda", N for
 * "cuda:N", -1 for "cpu". */
static gboolean
parse_device (const char  *device,
              int         *index,
              GError     **error)
{
  guint64 n;

  if (g_str_equal (device, "cpu"))
    *index = -1;
  else if (g_str_equal (device, "auto") || g_str_equal (device, "cuda"))
    *index = 0;
  else if (g_str_has_prefix (device, "cuda:") &&
           g_ascii_string_to_unsigned (device + 5, 10, 0, 63, &n, NULL))
    *index = (int) n;
  else
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("unknown device “%s”: give auto, cpu, cuda or cuda:N"), device);
      return FALSE;
    }
  return TRUE;
}

/* Where the options ask models to run. A GPU that cannot be used leaves
 * the CPU, and why in @note. */
static TesseraBackend *
backend_for (TesseraUpscaleOptions  *options,
             char                  **note,
             GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  TesseraBackend *backend;
  int index;

  if (!parse_device (tessera_upscale_options_get_device (options), &index, error))
    return NULL;

  if (index >= 0)
    {
      backend = tessera_backend_new ("cuda", index, tessera_upscale_options_get_precision (options), &local_error);
      if (backend != NULL)
        {
          tessera_backend_set_memory_limit (backend, (guint64) tessera_upscale_options_get_gpu_memory (options) << 20);
          return backend;
        }
      *note = g_strdup_printf (_("Running on the CPU: %s"), local_error->message);
    }

  return tessera_backend_new ("cpu", 0, tessera_upscale_options_get_precision (options), error);
}

static char *
backend_key (TesseraUpscaleOptions *options)
{
  return g_strdup_printf ("%s|%d|%u", tessera_upscale_options_get_device (options),
                          tessera_upscale_options_get_precision (options),
                          tessera_upscale_options_get_gpu_memory (options));
}

/* The backend for @options: the kept one when it matches and no network
 * has left the cache since it was kept. @evictions is the count the
 * backend must be given back with. */
static TesseraBackend *
take_backend (TesseraEngine          *self,
              TesseraUpscaleOptions  *options,
              guint                  *evictions,
              char                  **note,
              GError                **error)
{
  g_autofree char *key = backend_key (options);
  g_autoptr(TesseraBackend) stale = NULL;
  TesseraBackend *backend = NULL;

  g_mutex_lock (&self->networks_lock);
  *evictions = self->evictions;
  if (self->backend != NULL && self->backend_evictions == self->evictions &&
      g_str_equal (self->backend_key, key))
    backend = g_steal_pointer (&self->backend);
  else
    stale = g_steal_pointer (&self->backend);
  g_mutex_unlock (&self->networks_lock);

  return backend != NULL ? backend : backend_for (options, note, error);
}

/* Keeps a backend that keeps its uploaded weights (a GPU's) for the next
 * upscale, unless another is kept or a network left the cache while it
 * ran. */
static void
give_back_backend (TesseraEngine          *self,
                   TesseraUpscaleOptions  *options,
                   TesseraBackend         *backend,
                   guint                   evictions)
{
  g_autoptr(TesseraBackend) unkept = backend;

  /* Only the weights stay on the device between upscales. */
  if (!tessera_backend_trim (backend))
    return;
  g_debug ("GPU memory: %.1f MiB at the peak, limit %u MiB (0: none)",
           tessera_backend_get_peak_memory (backend) / 1048576.0,
           tessera_upscale_options_get_gpu_memory (options));

  g_mutex_lock (&self->networks_lock);
  if (self->backend == NULL && evictions == self->evictions)
    {
      self->backend = g_steal_pointer (&unkept);
      self->backend_evictions = evictions;
      g_free (self->backend_key);
      self->backend_key = backend_key (options);
    }
  g_mutex_unlock (&self->networks_lock);
}

/* What a tile may use on a GPU: most of its free memory; the rest is
 * cuBLAS's workspace and the weights. Other backends keep @cpu_budget. */
static gsize
device_memory_budget (TesseraBackend *backend,
                      gsize           cpu_budget)
{
  guint64 free_bytes, total_bytes;

  if (!tessera_backend_get_memory (backend, &free_bytes, &total_bytes))
    return cpu_budget;
  return (gsize) (free_bytes / 10 * 7);
}


/* How the runner tiles @network's passes towards a @width × @height output. */
static void
init_run_options (TesseraRunOptions      *run,
                  TesseraNetwork         *network,
                  TesseraBackend         *backend,
                  TesseraUpscaleOptions  *options,
                  guint                   width,
                  guint                   height,
                  gboolean                has_alpha)
{
  run->tile_size = tessera_upscale_options_get_tile_size (options);
  run->overlap = tessera_upscale_options_get_tile_overlap (options);
  run->pre_pad = tessera_upscale_options_get_pre_pad (options) == TESSERA_PRE_PAD_AUTO
               ? tessera_network_get_pre_pad (network)
               : (guint) tessera_upscale_options_get_pre_pad (options);
  run->alpha_by_model = tessera_upscale_options_get_alpha_mode (options) == TESSERA_ALPHA_MODE_MODEL;
  run->tta = tessera_upscale_options_get_tta (options);
  run->memory_budget = device_memory_budget (backend, memory_budget (width, height, has_alpha));
}

/* Runs the models, one after another, as many times as it takes to
 * reach the size, then resamples to it exactly: -s 2 with a ×4 model is
 * the model and a Lanczos reduction, -s 8 the model twice. A chain runs
 * whole each time, as one model of its scales' product; denoise belongs
 * to its first model. */
static TesseraImage *
model_upscale (TesseraEngine          *self,
               TesseraImage           *input,
               TesseraModel          **models,
               guint                   n_models,
               TesseraUpscaleOptions  *options,
               guint                   width,
               guint                   height,
               GCancellable           *cancellable,
               TesseraProgress        *progress,
               GError                **error)
{
  g_autoptr(GPtrArray) networks = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_network_unref);
  g_autoptr(TesseraBackend) backend = NULL;
  g_autoptr(TesseraImage) current = g_object_ref (input);
  TileProgress tiles = { progress, 0, 1, 1.0, g_get_monotonic_time () };
  g_autofree char *note = NULL;
  double needed;
  guint scale = 1, reached, evictions, rounds = 1;

  for (guint i = 0; i < n_models; i++)
    {
      double denoise = i == 0 ? tessera_upscale_options_get_denoise (options) : -1.0;
      TesseraNetwork *network = get_network (self, models[i], denoise, error);

      if (network == NULL)
        {
          if (n_models > 1)
            g_prefix_error (error, _("model %u of %u (%s): "), i + 1, n_models, tessera_model_get_name (models[i]));
          return NULL;
        }
      g_ptr_array_add (networks, network);
      scale *= tessera_network_get_scale (network);
    }
  backend = take_backend (self, options, &evictions, &note, error);
  if (backend == NULL)
    return NULL;
  if (note != NULL && progress != NULL)
    tessera_progress_report (progress, 0.0, note);

  needed = MAX ((double) width / tessera_image_get_width (input), (double) height / tessera_image_get_height (input));
  for (reached = scale; scale > 1 && reached < needed * (1.0 - 1e-9) && rounds < 4; reached *= scale)
    rounds++;
  tiles.n_passes = rounds * n_models;

  for (tiles.pass = 0; tiles.pass < tiles.n_passes; tiles.pass++)
    {
      guint i = tiles.pass % n_models;
      TesseraNetwork *network = g_ptr_array_index (networks, i);
      TesseraRunOptions run = { 0 };
      TesseraImage *next;

      init_run_options (&run, network, backend, options, width, height, tessera_image_get_has_alpha (input));
      run.tile_pixels = progress != NULL && progress->event_func != NULL;
      run.on_tile_start = on_tile_start;
      run.on_tile_done = on_tile_done;
      run.on_retry = on_retry;
      run.user_data = &tiles;

      next = tessera_runner_upscale (network, backend, current, &run, cancellable, error);
      if (next == NULL)
        {
          if (n_models > 1)
            g_prefix_error (error, _("model %u of %u (%s): "), i + 1, n_models, tessera_model_get_name (models[i]));
          return NULL;
        }
      g_object_unref (current);
      current = next;
      /* The network's output strays a little outside [0, 1]; the next
       * pass, the resampler and the file all want it inside. */
      clamp_planes (current);
      tiles.pass_scale *= tessera_network_get_scale (network);
    }
  give_back_backend (self, options, g_steal_pointer (&backend), evictions);

  if (tessera_image_get_width (current) != width || tessera_image_get_height (current) != height)
    return resample_to (current, width, height, TESSERA_FILTER_LANCZOS, cancellable, progress, error);
  return g_steal_pointer (&current);
}

/* The upscaler as the `tessera` text names it: a model's name, a
 * chain's names joined by “+”. */
static char *
upscaler_label (Upscaler   *upscaler,
                const char *name)
{
  g_autoptr(GString) label = NULL;

  if (upscaler->chain == NULL)
    return g_strdup (upscaler->model != NULL ? tessera_model_get_name (upscaler->model) : name);

  label = g_string_new (NULL);
  for (guint i = 0; i < upscaler->chain->len; i++)
    g_string_append_printf (label, "%s%s", i > 0 ? "+" : "",
                            tessera_model_get_name (g_ptr_array_index (upscaler->chain, i)));
  return g_string_free (g_steal_pointer (&label), FALSE);
}

static TesseraImage *
upscale_with (TesseraEngine          *self,
              Upscaler               *upscaler,
              TesseraImage           *input,
              TesseraUpscaleOptions  *options,
              guint                   width,
              guint                   height,
              GCancellable           *cancellable,
              TesseraProgress        *progress,
              GError                **error)
{
  if (upscaler->classic)
    return resample_to (input, width, height, upscaler->filter, cancellable, progress, error);
  if (upscaler->chain != NULL)
    return model_upscale (self, input, (TesseraModel **) upscaler->chain->pdata, upscaler->chain->len, options,
                          width, height, cancellable, progress, error);
  return model_upscale (self, input, &upscaler->model, 1, options, width, height, cancellable, progress, error);
}

/* Stable Diffusion web UI's "Upscaler 2": a second result mixed in. */
static void
blend_images (TesseraImage *image,
              TesseraImage *other,
              double        visibility)
{
  gsize n = (gsize) tessera_image_get_width (image) * tessera_image_get_height (image) *
            (tessera_image_get_has_alpha (image) ? 4 : 3);
  float *a = tessera_image_get_plane (image, 0);
  const float *b = tessera_image_get_plane (other, 0);
  float v = (float) visibility;

  for (gsize i = 0; i < n; i++)
    a[i] = (1.f - v) * a[i] + v * b[i];
}

static TesseraImage *
upscale_run (TesseraEngine          *self,
             TesseraImage           *input,
             TesseraUpscaleOptions  *options,
             GCancellable           *cancellable,
             TesseraProgress        *progress,
             GError                **error)
{
  g_autoptr(TesseraImage) output = NULL;
  g_autofree char *description = NULL;
  g_autofree char *label = NULL;
  g_auto(Upscaler) upscaler = { 0 };
  const char *name = tessera_upscale_options_get_upscaler (options);
  const char *name_2 = tessera_upscale_options_get_upscaler_2 (options);
  double visibility = tessera_upscale_options_get_upscaler_2_visibility (options);
  guint width, height;

  tessera_parallel_set_thread_limit (tessera_upscale_options_get_threads (options));

  if (!resolve_upscaler (self, name, &upscaler, error))
    return NULL;

  if (tessera_upscale_options_get_denoise (options) >= 0.0 && upscaler.classic)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("denoise is not available for the classic filter “%s”"), name);
      return NULL;
    }

  if (!tessera_upscale_options_compute_size (options,
                                             tessera_image_get_width (input),
                                             tessera_image_get_height (input),
                                             &width, &height, error))
    return NULL;

  output = upscale_with (self, &upscaler, input, options, width, height, cancellable, progress, error);
  if (output == NULL)
    return NULL;

  if (name_2 != NULL && visibility > 0.0)
    {
      g_auto(Upscaler) upscaler_2 = { 0 };
      g_autoptr(TesseraImage) second = NULL;
      g_autoptr(TesseraUpscaleOptions) plain = tessera_upscale_options_copy (options);

      /* Denoise belongs to the first upscaler. */
      tessera_upscale_options_set_denoise (plain, -1.0);
      if (!resolve_upscaler (self, name_2, &upscaler_2, error))
        return NULL;
      second = upscale_with (self, &upscaler_2, input, plain, width, height, cancellable, progress, error);
      if (second == NULL)
        return NULL;
      blend_images (output, second, visibility);
    }

  tessera_image_set_bit_depth (output, tessera_image_get_bit_depth (input));
  tessera_image_set_grayscale (output, tessera_image_get_grayscale (input));
  tessera_image_copy_metadata (output, input);
  label = upscaler_label (&upscaler, name);
  description = describe_upscale (label, tessera_image_get_width (input), tessera_image_get_height (input),
                                  tessera_image_get_width (output), tessera_image_get_height (output));
  tessera_image_set_text (output, "tessera", description);

  tessera_progress_report (progress, 1.0, _("Done"));

  return g_steal_pointer (&output);
}

/* Whether an upscale of a @in_width × @in_height image to @out_width ×
 * @out_height runs band by band between files: when its input and output
 * as floats would take more than half the memory, or the output is
 * larger than an image in memory may be. */
static gboolean
needs_stream (guint    in_width,
              guint    in_height,
              gboolean has_alpha,
              guint    out_width,
              guint    out_height)
{
  gsize physical = (gsize) sysconf (_SC_PHYS_PAGES) * (gsize) sysconf (_SC_PAGESIZE);
  guint64 planes = has_alpha ? 4 : 3;
  guint64 bytes = ((guint64) in_width * in_height + (guint64) out_width * out_height) * planes * sizeof (float);

  return out_width > TESSERA_IMAGE_MAX_SIDE || out_height > TESSERA_IMAGE_MAX_SIDE ||
         (guint64) out_width * out_height > TESSERA_IMAGE_MAX_PIXELS || bytes > physical / 2;
}

typedef struct
{
  TesseraProgress *progress;
  gint64           start;
} RowsProgress;

static void
on_rows_done (guint    done,
              guint    total,
              gpointer user_data)
{
  RowsProgress *rows = user_data;
  double fraction = (double) done / total;
  double elapsed = (g_get_monotonic_time () - rows->start) / (double) G_USEC_PER_SEC;
  g_autofree char *left = time_left (fraction > 0.0 ? elapsed * (1.0 - fraction) / fraction : 0.0);
  /* TRANSLATORS: %s is how long is left, such as “about 5 s left” */
  g_autofree char *text = g_strdup_printf (_("Resampling in bands, %s"), left);

  tessera_progress_report (rows->progress, fraction, text);
}

/* The upscale from file to file, band by band; see
 * tessera_engine_upscale_file(). */
static gboolean
upscale_file_run (TesseraEngine          *self,
                  GFile                  *input,
                  GFile                  *output,
                  TesseraUpscaleOptions  *options,
                  gboolean                keep_metadata,
                  GCancellable           *cancellable,
                  TesseraProgress        *progress,
                  GError                **error)
{
  g_autoptr(TesseraImageReader) reader = NULL;
  g_autoptr(TesseraImageWriter) writer = NULL;
  g_autoptr(TesseraImage) info = NULL;
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraBackend) backend = NULL;
  g_autofree char *label = NULL;
  g_autofree char *description = NULL;
  g_autofree char *note = NULL;
  g_autofree char *output_name = tessera_file_dup_display_name (output);
  g_auto(Upscaler) upscaler = { 0 };
  const char *name = tessera_upscale_options_get_upscaler (options);
  TesseraImage *input_info;
  TesseraImageWriterOptions writer_options = { 8, tessera_upscale_options_get_compression (options),
                                               tessera_upscale_options_get_tiff_tile_size (options) };
  TesseraImageFormat format = tessera_upscale_options_get_format (options);
  TesseraRunOptions run = { 0 };
  TileProgress tiles = { progress, 0, 1, 1.0, g_get_monotonic_time () };
  RowsProgress rows = { progress, g_get_monotonic_time () };
  guint in_width, in_height, width, height, evictions = 0;
  gboolean ok;

  tessera_parallel_set_thread_limit (tessera_upscale_options_get_threads (options));

  if (!resolve_upscaler (self, name, &upscaler, error))
    return FALSE;
  if (tessera_upscale_options_get_denoise (options) >= 0.0 && upscaler.classic)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("denoise is not available for the classic filter “%s”"), name);
      return FALSE;
    }
  if (tessera_upscale_options_get_upscaler_2 (options) != NULL &&
      tessera_upscale_options_get_upscaler_2_visibility (options) > 0.0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: a second upscaler cannot be blended into an image too large for memory"), output_name);
      return FALSE;
    }
  if (upscaler.chain != NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: a chain of models cannot run on an image too large for memory; run its models "
                     "one after the other"), output_name);
      return FALSE;
    }

  reader = tessera_image_reader_open (input, cancellable, error);
  if (reader == NULL)
    return FALSE;
  in_width = tessera_image_reader_get_width (reader);
  in_height = tessera_image_reader_get_height (reader);
  input_info = tessera_image_reader_get_info (reader);
  if (!tessera_upscale_options_compute_streamed_size (options, in_width, in_height, &width, &height, error))
    return FALSE;

  if (!upscaler.classic)
    {
      guint s;

      network = get_network (self, upscaler.model, tessera_upscale_options_get_denoise (options), error);
      if (network == NULL)
        return FALSE;
      s = tessera_network_get_scale (network);
      if ((guint64) in_width * s != width || (guint64) in_height * s != height)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("%s: an image too large for memory is upscaled by its model's own factor (×%u) "
                         "only, not to %u×%u"), output_name, s, width, height);
          return FALSE;
        }
      backend = take_backend (self, options, &evictions, &note, error);
      if (backend == NULL)
        return FALSE;
      if (note != NULL)
        tessera_progress_report (progress, 0.0, note);
    }

  info = tessera_image_new (1, 1, tessera_image_get_has_alpha (input_info), error);
  if (info == NULL)
    return FALSE;
  tessera_image_set_grayscale (info, tessera_image_get_grayscale (input_info));
  tessera_image_copy_metadata (info, input_info);
  label = upscaler_label (&upscaler, name);
  description = describe_upscale (label, in_width, in_height, width, height);
  tessera_image_set_text (info, "tessera", description);
  /* As the batch strips an image in memory: the description goes too. */
  if (!keep_metadata)
    tessera_image_strip_metadata (info);
  writer_options.depth = tessera_upscale_options_get_bit_depth (options) != 0
                         ? tessera_upscale_options_get_bit_depth (options)
                         : tessera_image_get_bit_depth (input_info) == 16 ? 16 : 8;

  writer = tessera_image_writer_open (output, format, width, height, info, &writer_options, cancellable, error);
  if (writer == NULL)
    return FALSE;

  tessera_progress_report (progress, 0.0, upscaler.classic ? _("Resampling") : _("Upscaling"));
  if (upscaler.classic)
    ok = tessera_stream_resample (reader, writer, width, height, upscaler.filter, cancellable, on_rows_done, &rows,
                                  error);
  else
    {
      init_run_options (&run, network, backend, options, width, height, tessera_image_get_has_alpha (input_info));
      run.on_tile_start = on_tile_start;
      run.on_tile_done = on_tile_done;
      run.user_data = &tiles;
      ok = tessera_runner_upscale_stream (network, backend, reader, writer, &run, cancellable, error);
      give_back_backend (self, options, g_steal_pointer (&backend), evictions);
    }
  if (!ok || !tessera_image_writer_finish (writer, error))
    return FALSE;

  tessera_progress_report (progress, 1.0, _("Done"));
  return TRUE;
}

/**
 * tessera_engine_upscale_needs_stream:
 * @self: a #TesseraEngine
 * @file: the input image
 * @options: what to do
 *
 * Whether the upscale of @file with @options is too large for memory, so
 * that it must go from file to file with tessera_engine_upscale_file();
 * or whether @options ask for that. Reads only the file's header (a PNG's)
 * or, for other formats, what GdkPixbuf tells of its size.
 *
 * Returns: %TRUE when the upscale should stream; %FALSE also when the
 *   size cannot be known, and the ordinary upscale reports why
 */
gboolean
tessera_engine_upscale_needs_stream (TesseraEngine         *self,
                                     GFile                 *file,
                                     TesseraUpscaleOptions *options)
{
  guint width, height, out_width, out_height;
  gboolean has_alpha;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options), FALSE);

  if (tessera_upscale_options_get_stream (options))
    return TRUE;
  if (!tessera_image_read_size (file, &width, &height, &has_alpha))
    return FALSE;
  if (!tessera_upscale_options_compute_streamed_size (options, width, height, &out_width, &out_height, NULL))
    return FALSE;
  return needs_stream (width, height, has_alpha, out_width, out_height);
}

/**
 * tessera_engine_upscale_file:
 * @self: a #TesseraEngine
 * @input: the image to upscale
 * @output: where the result goes, in the options' format (PNG or TIFF),
 *   bit depth (the input's by default) and TIFF tiling
 * @options: what to do
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): called in this thread as work proceeds
 * @progress_data: data for @progress
 * @error: return location for a #GError
 *
 * Upscales an image too large for memory, in the calling thread: the
 * input is read in bands of rows (a PNG row by row; other formats are
 * decoded whole, when they fit), the tiles of a model run a row of tiles
 * at a time and a classic filter a band of rows at a time, and each
 * finished row goes straight to the output file, through a temporary file
 * renamed at the end. The result is the one tessera_engine_upscale() and
 * tessera_image_save() give, pixel for pixel. One model at its own scale,
 * or a classic filter; no second upscaler.
 *
 * Returns: %TRUE when @output was written; on error or cancellation
 *   nothing is left behind
 */
gboolean
tessera_engine_upscale_file (TesseraEngine          *self,
                             GFile                  *input,
                             GFile                  *output,
                             TesseraUpscaleOptions  *options,
                             GCancellable           *cancellable,
                             TesseraProgressFunc     progress,
                             gpointer                progress_data,
                             GError                **error)
{
  TesseraProgress reporter;
  gboolean ok;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (input), FALSE);
  g_return_val_if_fail (G_IS_FILE (output), FALSE);
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options), FALSE);

  tessera_progress_init (&reporter, progress, progress_data);
  ok = upscale_file_run (self, input, output, options, TRUE, cancellable, &reporter, error);
  tessera_progress_clear (&reporter);
  return ok;
}

typedef struct
{
  GFile                 *input;
  GFile                 *output;
  TesseraUpscaleOptions *options;
  gboolean               keep_metadata;
  TesseraProgress        progress;
} UpscaleFileJob;

static void
upscale_file_job_free (gpointer data)
{
  UpscaleFileJob *job = data;

  g_clear_object (&job->input);
  g_clear_object (&job->output);
  g_clear_object (&job->options);
  tessera_progress_clear (&job->progress);
  g_free (job);
}

static void
upscale_file_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  UpscaleFileJob *job = task_data;
  GError *error = NULL;

  if (upscale_file_run (source_object, job->input, job->output, job->options, job->keep_metadata, cancellable,
                        &job->progress, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* tessera_engine_upscale_file_async(), with the input's text and colour
 * profile left out of the output unless @keep_metadata, as the batch's
 * setting says. */
void
tessera_engine_upscale_file_async_full (TesseraEngine          *self,
                                        GFile                  *input,
                                        GFile                  *output,
                                        TesseraUpscaleOptions  *options,
                                        gboolean                keep_metadata,
                                        GCancellable           *cancellable,
                                        TesseraProgressFunc     progress,
                                        gpointer                progress_data,
                                        GAsyncReadyCallback     callback,
                                        gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  UpscaleFileJob *job;

  g_return_if_fail (TESSERA_IS_ENGINE (self));
  g_return_if_fail (G_IS_FILE (input));
  g_return_if_fail (G_IS_FILE (output));
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options));

  job = g_new0 (UpscaleFileJob, 1);
  job->input = g_object_ref (input);
  job->output = g_object_ref (output);
  job->options = tessera_upscale_options_copy (options);
  job->keep_metadata = keep_metadata;
  tessera_progress_init_deferred (&job->progress, progress, progress_data);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_engine_upscale_file_async);
  g_task_set_task_data (task, job, upscale_file_job_free);
  g_task_run_in_thread (task, upscale_file_thread);
}

/**
 * tessera_engine_upscale_file_async:
 * @options: copied, so later changes do not affect this upscale
 * @progress: (nullable) (scope notified): called in the thread-default main
 *   context of the caller as work proceeds, never after @callback
 *
 * tessera_engine_upscale_file() in a worker thread.
 */
void
tessera_engine_upscale_file_async (TesseraEngine          *self,
                                   GFile                  *input,
                                   GFile                  *output,
                                   TesseraUpscaleOptions  *options,
                                   GCancellable           *cancellable,
                                   TesseraProgressFunc     progress,
                                   gpointer                progress_data,
                                   GAsyncReadyCallback     callback,
                                   gpointer                user_data)
{
  tessera_engine_upscale_file_async_full (self, input, output, options, TRUE, cancellable, progress, progress_data,
                                          callback, user_data);
}

gboolean
tessera_engine_upscale_file_finish (TesseraEngine  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (TESSERA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tessera_engine_upscale:
 * @self: a #TesseraEngine
 * @input: the image to upscale
 * @options: what to do
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): called in this thread as work proceeds
 * @progress_data: data for @progress
 * @error: return location for a #GError
 *
 * Upscales @input in the calling thread; see tessera_engine_upscale_async().
 *
 * Returns: (transfer full): the upscaled image, with the metadata of
 *   @input and a `tessera` text naming the upscaler and scale
 */
TesseraImage *
tessera_engine_upscale (TesseraEngine          *self,
                        TesseraImage           *input,
                        TesseraUpscaleOptions  *options,
                        GCancellable           *cancellable,
                        TesseraProgressFunc     progress,
                        gpointer                progress_data,
                        GError                **error)
{
  TesseraProgress reporter;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (TESSERA_IS_IMAGE (input), NULL);
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options), NULL);

  TesseraImage *output;

  tessera_progress_init (&reporter, progress, progress_data);
  output = upscale_run (self, input, options, cancellable, &reporter, error);
  tessera_progress_clear (&reporter);
  return output;
}

typedef struct
{
  TesseraImage          *input;
  TesseraUpscaleOptions *options;
  TesseraProgress        progress;
} UpscaleJob;

static void
upscale_job_free (gpointer data)
{
  UpscaleJob *job = data;

  g_clear_object (&job->input);
  g_clear_object (&job->options);
  tessera_progress_clear (&job->progress);
  g_free (job);
}

static void
upscale_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  UpscaleJob *job = task_data;
  GError *error = NULL;
  TesseraImage *output;

  output = upscale_run (source_object, job->input, job->options, cancellable, &job->progress, &error);
  if (output == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, output, g_object_unref);
}

/**
 * tessera_engine_upscale_async:
 * @self: a #TesseraEngine
 * @input: the image to upscale; it must not change until the upscale finishes
 * @options: what to do; copied, so later changes do not affect this upscale
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope notified): called in the thread-default main
 *   context of the caller as work proceeds, never after @callback
 * @tiles: (nullable) (scope notified): called there as a model's tiles
 *   start and finish, in order with @progress
 * @progress_data: data for @progress and @tiles, valid until @callback runs
 * @callback: called when the upscale is done
 * @user_data: data for @callback
 *
 * Upscales @input in a worker thread.
 */
void
tessera_engine_upscale_async (TesseraEngine          *self,
                              TesseraImage           *input,
                              TesseraUpscaleOptions  *options,
                              GCancellable           *cancellable,
                              TesseraProgressFunc     progress,
                              TesseraTileFunc         tiles,
                              gpointer                progress_data,
                              GAsyncReadyCallback     callback,
                              gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  UpscaleJob *job;

  g_return_if_fail (TESSERA_IS_ENGINE (self));
  g_return_if_fail (TESSERA_IS_IMAGE (input));
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options));

  job = g_new0 (UpscaleJob, 1);
  job->input = g_object_ref (input);
  job->options = tessera_upscale_options_copy (options);
  tessera_progress_init_deferred (&job->progress, progress, progress_data);
  job->progress.event_func = (GCallback) tiles;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_engine_upscale_async);
  g_task_set_task_data (task, job, upscale_job_free);
  g_task_run_in_thread (task, upscale_thread);
}

/**
 * tessera_engine_upscale_finish:
 *
 * Returns: (transfer full): the upscaled image, or %NULL on error or
 *   cancellation (%G_IO_ERROR_CANCELLED)
 */
TesseraImage *
tessera_engine_upscale_finish (TesseraEngine  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tessera_engine_describe_cpu:
 *
 * Returns: (transfer full): what CPU upscales run on: the processor, the
 *   threads and the BLAS kernels, for benchmark reports
 */
char *
tessera_engine_describe_cpu (TesseraEngine *self)
{
  g_autoptr(GPtrArray) devices = NULL;
  TesseraDevice *cpu;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);

  /* The CPU is always there. */
  devices = tessera_backend_list_devices ("cpu", NULL);
  cpu = g_ptr_array_index (devices, 0);
  return g_strdup (cpu->description);
}

/**
 * tessera_engine_measure_gemm_rate:
 * @threads: how many threads, 0 for every core
 * @seconds: about how long to measure
 *
 * Measures the CPU's SGEMM rate on convolution-shaped matrices, the
 * ceiling of a convolution computed as im2col and SGEMM; benchmarks print
 * it beside an upscale's rate.
 *
 * Returns: GFLOP/s, or 0 with @error set when OpenBLAS is missing
 */
double
tessera_engine_measure_gemm_rate (TesseraEngine  *self,
                                  guint           threads,
                                  double          seconds,
                                  GError        **error)
{
  double rate;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), 0.0);

  tessera_parallel_set_thread_limit (threads);
  rate = tessera_backend_measure_gemm_rate ("cpu", seconds, error);
  tessera_parallel_set_thread_limit (0);
  return rate;
}

/**
 * tessera_engine_list_devices:
 *
 * Returns: (transfer full): the names of the devices models can run on,
 *   "cpu" first, then "cuda:0", "cuda:1"… for each usable CUDA device
 */
char **
tessera_engine_list_devices (TesseraEngine *self)
{
  g_autoptr(GPtrArray) devices = NULL;
  GPtrArray *names = g_ptr_array_new ();

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);

  g_ptr_array_add (names, g_strdup ("cpu"));
  devices = tessera_backend_list_devices ("cuda", NULL);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      TesseraDevice *device = g_ptr_array_index (devices, i);

      g_ptr_array_add (names, g_strdup_printf ("cuda:%d", device->index));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/**
 * tessera_engine_check_device:
 * @device: a device as tessera_upscale_options_set_device() takes it
 * @description: (out) (optional) (transfer full): what would run the
 *   models: the GPU's name, memory and versions, or the CPU's description
 *
 * Tells where models would run with @device, and why not there when a GPU
 * was asked for but cannot be used: the engine then runs them on the CPU.
 *
 * Returns: %TRUE when models run on @device (for "auto", on the first GPU
 *   or, with none, on the CPU without an error); %FALSE with @error saying
 *   why, which is %TESSERA_ERROR_INVALID_ARGUMENT when @device names no
 *   device
 */
gboolean
tessera_engine_check_device (TesseraEngine  *self,
                             const char     *device,
                             char          **description,
                             GError        **error)
{
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) local_error = NULL;
  int index;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (device != NULL, FALSE);

  if (!parse_device (device, &index, error))
    return FALSE;

  if (index >= 0)
    {
      devices = tessera_backend_list_devices ("cuda", &local_error);
      for (guint i = 0; devices != NULL && i < devices->len; i++)
        {
          TesseraDevice *cuda = g_ptr_array_index (devices, i);

          if (cuda->index != index)
            continue;
          if (description != NULL)
            *description = g_strdup (cuda->description);
          return TRUE;
        }
      if (devices != NULL)
        g_set_error (&local_error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                     _("there is no CUDA device %d"), index);
      if (!g_str_equal (device, "auto"))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  if (description != NULL)
    {
      g_autofree char *cpu = tessera_engine_describe_cpu (self);

      /* Only a build with CUDA has a GPU to miss: say why it is not used. */
      if (local_error != NULL && HAVE_CUDA)
        *description = g_strdup_printf (_("%s (no GPU: %s)"), cpu, local_error->message);
      else
        *description = g_steal_pointer (&cpu);
    }
  return TRUE;
}

/**
 * tessera_engine_plan_tiles:
 * @width: the input's width
 * @height: the input's height
 * @has_alpha: whether the input has alpha
 *
 * The tiles the first pass of an upscale with @options would run, with
 * the automatic tile size worked out as the upscale would: for showing
 * the plan before anything runs. Loads the model; call it off the main
 * thread.
 *
 * Returns: (transfer full) (nullable): the plan, in input pixels; %NULL
 *   with @error set when the upscaler cannot be used, and %NULL without
 *   an error for a classic filter, which runs in one piece
 */
TesseraTilePlan *
tessera_engine_plan_tiles (TesseraEngine          *self,
                           guint                   width,
                           guint                   height,
                           gboolean                has_alpha,
                           TesseraUpscaleOptions  *options,
                           GError                **error)
{
  g_auto(Upscaler) upscaler = { 0 };
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraBackend) backend = NULL;
  g_autofree char *note = NULL;
  TesseraRunOptions run = { 0 };
  guint out_width, out_height, evictions;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (!resolve_upscaler (self, tessera_upscale_options_get_upscaler (options), &upscaler, error))
    return NULL;
  if (upscaler.classic)
    return NULL;
  if (!tessera_upscale_options_compute_size (options, width, height, &out_width, &out_height, error))
    return NULL;

  network = get_network (self, upscaler.model, tessera_upscale_options_get_denoise (options), error);
  if (network == NULL)
    return NULL;
  backend = take_backend (self, options, &evictions, &note, error);
  if (backend == NULL)
    return NULL;

  init_run_options (&run, network, backend, options, out_width, out_height, has_alpha);
  give_back_backend (self, options, g_steal_pointer (&backend), evictions);
  return tessera_runner_plan (network, width, height, &run);
}

/**
 * tessera_engine_hold_redraw_networks:
 * @self: a #TesseraEngine
 *
 * Keeps the networks of the next redraws loaded from one redraw to the
 * next, until as many tessera_engine_release_redraw_networks() calls:
 * a batch of redraws with one checkpoint reads and converts its weights
 * once. Only the last networks are kept: a redraw with another
 * checkpoint, VAE, device or precision loads its own.
 */
void
tessera_engine_hold_redraw_networks (TesseraEngine *self)
{
  g_return_if_fail (TESSERA_IS_ENGINE (self));

  g_mutex_lock (&self->redraw_lock);
  self->redraw_holds++;
  g_mutex_unlock (&self->redraw_lock);
}

/**
 * tessera_engine_release_redraw_networks:
 * @self: a #TesseraEngine
 *
 * Ends a tessera_engine_hold_redraw_networks(): after the last, the kept
 * networks are freed.
 */
void
tessera_engine_release_redraw_networks (TesseraEngine *self)
{
  RedrawNetworksEntry *entry = NULL;

  g_return_if_fail (TESSERA_IS_ENGINE (self));

  g_mutex_lock (&self->redraw_lock);
  if (self->redraw_holds == 0)
    {
      g_mutex_unlock (&self->redraw_lock);
      g_return_if_reached ();
    }
  if (--self->redraw_holds == 0)
    entry = g_steal_pointer (&self->redraw_networks);
  g_mutex_unlock (&self->redraw_lock);

  g_clear_pointer (&entry, redraw_networks_entry_free);
}

static gboolean
redraw_networks_entry_matches (RedrawNetworksEntry         *entry,
                               const TesseraRedrawNetworks *vtable,
                               TesseraCheckpoint           *checkpoint,
                               TesseraRedrawOptions        *options)
{
  GFile *vae_file = tessera_checkpoint_get_vae_file (checkpoint);

  return entry->vtable == vtable && entry->checkpoint == checkpoint
         && (entry->vae_file == vae_file || (entry->vae_file != NULL && vae_file != NULL
                                              && g_file_equal (entry->vae_file, vae_file)))
         && g_str_equal (entry->device, tessera_redraw_options_get_device (options))
         && entry->precision == tessera_redraw_options_get_precision (options);
}

/* The networks for a redraw: the kept ones when they fit, else loaded. */
gpointer
tessera_engine_acquire_redraw_networks (TesseraEngine                *self,
                                        const TesseraRedrawNetworks  *vtable,
                                        TesseraCheckpoint            *checkpoint,
                                        TesseraRedrawOptions         *options,
                                        GCancellable                 *cancellable,
                                        GError                      **error)
{
  RedrawNetworksEntry *entry = NULL;
  gpointer nets;

  g_mutex_lock (&self->redraw_lock);
  if (self->redraw_networks != NULL
      && redraw_networks_entry_matches (self->redraw_networks, vtable, checkpoint, options))
    entry = g_steal_pointer (&self->redraw_networks);
  g_mutex_unlock (&self->redraw_lock);

  if (entry == NULL)
    return vtable->load (checkpoint, options, cancellable, error);

  nets = g_steal_pointer (&entry->nets);
  g_clear_object (&entry->checkpoint);
  g_clear_object (&entry->vae_file);
  g_free (entry->device);
  g_free (entry);
  return nets;
}

/* A redraw is done with @nets: kept while a batch holds them, else freed. */
void
tessera_engine_return_redraw_networks (TesseraEngine               *self,
                                       const TesseraRedrawNetworks *vtable,
                                       gpointer                     nets,
                                       TesseraCheckpoint           *checkpoint,
                                       TesseraRedrawOptions        *options)
{
  RedrawNetworksEntry *entry = g_new0 (RedrawNetworksEntry, 1);
  GFile *vae_file = tessera_checkpoint_get_vae_file (checkpoint);

  entry->vtable = vtable;
  entry->nets = nets;
  entry->checkpoint = g_object_ref (checkpoint);
  entry->vae_file = vae_file != NULL ? g_object_ref (vae_file) : NULL;
  entry->device = g_strdup (tessera_redraw_options_get_device (options));
  entry->precision = tessera_redraw_options_get_precision (options);

  g_mutex_lock (&self->redraw_lock);
  if (self->redraw_holds > 0)
    {
      /* The newest networks replace older ones. */
      RedrawNetworksEntry *old = g_steal_pointer (&self->redraw_networks);

      self->redraw_networks = g_steal_pointer (&entry);
      entry = old;
    }
  g_mutex_unlock (&self->redraw_lock);

  g_clear_pointer (&entry, redraw_networks_entry_free);
}
