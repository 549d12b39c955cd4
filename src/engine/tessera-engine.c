/* tessera-engine.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-parallel-private.h"
#include "models/tessera-denoise-private.h"
#include "tessera-engine-private.h"
#include "tessera-model-library.h"
#include "tessera-redraw-private.h"

/* This file is the engine object: the upscalers it offers and what their
 * names mean, the networks and GPU backend it keeps between upscales, the
 * devices, and the networks a batch of redraws holds. The upscales
 * themselves are tessera-upscale.c (in memory) and tessera-upscale-file.c
 * (from file to file); redraws are tessera-redraw.c and media files
 * tessera-media-upscale.c. */

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

void
tessera_upscaler_clear (TesseraUpscaler *upscaler)
{
  g_clear_object (&upscaler->model);
  g_clear_pointer (&upscaler->chain, g_ptr_array_unref);
}

/* The models of a chain “A+B+…”, each resolved as an upscaler name; an
 * error names the model of the chain it is about. */
static gboolean
resolve_chain (TesseraEngine    *self,
               const char       *name,
               TesseraUpscaler  *upscaler,
               GError          **error)
{
  g_auto(GStrv) parts = g_strsplit (name, "+", -1);
  guint n = g_strv_length (parts);

  upscaler->chain = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      g_auto(TesseraUpscaler) part = { 0 };

      if (!tessera_engine_resolve_upscaler (self, parts[i], &part, error))
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

gboolean
tessera_engine_resolve_upscaler (TesseraEngine    *self,
                                 const char       *name,
                                 TesseraUpscaler  *upscaler,
                                 GError          **error)
{
  *upscaler = (TesseraUpscaler) { FALSE, TESSERA_FILTER_NEAREST, NULL, NULL };

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

/* The upscaler as the `tessera` text names it: a model's name, a
 * chain's names joined by “+”. */
char *
tessera_upscaler_label (TesseraUpscaler *upscaler,
                        const char      *name)
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

static TesseraNetwork *
load_network (GFile   *file,
              GError **error)
{
  g_autoptr(TesseraModel) model = tessera_model_new_from_file (file, NULL, error);

  return model != NULL ? tessera_network_new (model, error) : NULL;
}

/* The network for @model at a denoise level (negative: the model as it
 * is), from the cache when it is there. */
TesseraNetwork *
tessera_engine_get_network (TesseraEngine  *self,
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
TesseraBackend *
tessera_engine_take_backend (TesseraEngine          *self,
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
void
tessera_engine_give_back_backend (TesseraEngine          *self,
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
