/* tessera-model.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-model"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "archs/tessera-arch-private.h"
#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "formats/tessera-formats-private.h"
#include "tessera-model-private.h"
#include "tessera-network-private.h"

/**
 * TesseraModel:
 *
 * An upscaling model read from a file: its format, the architecture its
 * keys and shapes show, and what that architecture's sizes are. The
 * weights stay in the file, mapped, until the engine needs them.
 *
 * A model that failed to load (as the library lists a broken file) has
 * an error and nothing else.
 */
struct _TesseraModel
{
  GObject             parent_instance;

  GFile              *file;
  char               *name;
  GError             *error;
  TesseraModelFormat  format;
  TesseraArchInfo     info;
  guint64             n_params;
  char               *dtype;
  guint64             file_size;
  TesseraStateDict   *state_dict;
  GVariant           *hyperparameters;
};

G_DEFINE_FINAL_TYPE (TesseraModel, tessera_model, G_TYPE_OBJECT)

static void
tessera_model_finalize (GObject *object)
{
  TesseraModel *self = (TesseraModel *) object;

  g_clear_object (&self->file);
  g_clear_pointer (&self->name, g_free);
  g_clear_error (&self->error);
  g_clear_pointer (&self->dtype, g_free);
  g_clear_pointer (&self->state_dict, tessera_state_dict_unref);
  g_clear_pointer (&self->hyperparameters, g_variant_unref);

  G_OBJECT_CLASS (tessera_model_parent_class)->finalize (object);
}

static void
tessera_model_class_init (TesseraModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_model_finalize;
}

static void
tessera_model_init (TesseraModel *self)
{
}

static char *
display_name (GFile *file)
{
  g_autofree char *basename = tessera_file_dup_display_name (file);
  const char * const *extensions = tessera_format_list_extensions ();

  for (guint i = 0; extensions[i] != NULL; i++)
    if (g_str_has_suffix (basename, extensions[i]) && strlen (basename) > strlen (extensions[i]))
      return g_strndup (basename, strlen (basename) - strlen (extensions[i]));

  return g_steal_pointer (&basename);
}

/* The file beside @file of @format's companion (an ncnn .param's .bin):
 * its name with the companion's extension in place of the format's own. */
static GFile *
companion_of (GFile                    *file,
              const TesseraFormatEntry *format)
{
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *name = NULL;
  g_autoptr(GFile) folder = g_file_get_parent (file);
  gsize stem = strlen (basename);

  for (guint i = 0; format->extensions[i] != NULL; i++)
    if (g_str_has_suffix (basename, format->extensions[i]))
      {
        stem -= strlen (format->extensions[i]);
        break;
      }
  name = g_strdup_printf ("%.*s%s", (int) stem, basename, format->companion);
  return g_file_get_child (folder, name);
}

/* The weights beside an ncnn .param. */
GFile *
tessera_model_ncnn_bin_file (GFile *param)
{
  return companion_of (param, tessera_format_lookup (TESSERA_MODEL_FORMAT_NCNN));
}

/* The dtype holding most of the weights: F16 for ncnn's fp16 with fp32
 * biases. */
static void
summarise_weights (TesseraModel *self)
{
  guint64 per_dtype[TESSERA_DTYPE_BOOL + 1] = { 0 };
  TesseraDType most = TESSERA_DTYPE_F32;
  guint n = tessera_state_dict_get_n_tensors (self->state_dict);

  for (guint i = 0; i < n; i++)
    {
      const TesseraTensor *tensor = tessera_state_dict_get_nth (self->state_dict, i);

      /* Index buffers, batch-norm statistics, attention masks (DAT's
       * attn_mask_0 and _1) and DAT's position grid are not parameters. */
      if (!tessera_dtype_is_float (tensor->dtype) || g_str_has_suffix (tensor->name, "running_mean") ||
          g_str_has_suffix (tensor->name, "running_var") || strstr (tensor->name, "attn_mask") != NULL ||
          g_str_has_suffix (tensor->name, "rpe_biases"))
        continue;
      per_dtype[tensor->dtype] += tensor->n_elements;
      self->n_params += tensor->n_elements;
    }

  for (guint d = 0; d < G_N_ELEMENTS (per_dtype); d++)
    if (per_dtype[d] > per_dtype[most])
      most = d;

  self->dtype = g_ascii_strdown (tessera_dtype_get_name (most), -1);
}

/**
 * tessera_model_new_from_file:
 * @file: a `.pth`, `.safetensors`, waifu2x `.json` or ncnn `.param` (its
 *   `.bin` beside it)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads a model file and works out its architecture from the names and
 * shapes of its tensors. Nothing in the file is executed.
 *
 * Returns: (transfer full): the model, or %NULL with an error that names
 *   the file and the cause
 */
TesseraModel *
tessera_model_new_from_file (GFile         *file,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(TesseraModel) self = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GBytes) companion = NULL;
  const TesseraFormatEntry *format;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *basename = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (TESSERA_TYPE_MODEL, NULL);
  self->file = g_object_ref (file);
  self->name = display_name (file);
  basename = tessera_file_dup_display_name (file);

  contents = tessera_file_map (file, cancellable, error);
  if (contents == NULL)
    return NULL;

  if (g_bytes_get_size (contents) == 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("%s: the file is empty"), basename);
      return NULL;
    }

  format = tessera_format_sniff (contents);
  if (format == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                   _("%s: not a model file Tessera reads (.pth, .safetensors, ncnn .param, waifu2x .json)"),
                   basename);
      return NULL;
    }

  self->format = format->format;
  self->file_size = g_bytes_get_size (contents);
  if (format->companion != NULL)
    {
      g_autoptr(GFile) companion_file = companion_of (file, format);

      companion = tessera_file_map (companion_file, cancellable, error);
      if (companion == NULL)
        {
          g_prefix_error (error, _("%s: its weights are missing: "), basename);
          return NULL;
        }
      self->file_size += g_bytes_get_size (companion);
    }
  self->state_dict = format->load (contents, companion, basename, &local_error);

  if (self->state_dict == NULL || !tessera_arch_detect (self->state_dict, &self->info, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", basename);
      return NULL;
    }

  summarise_weights (self);
  self->hyperparameters = tessera_arch_describe (self->state_dict, &self->info);
  if (self->hyperparameters != NULL)
    g_variant_ref_sink (self->hyperparameters);
  return g_steal_pointer (&self);
}

/* A placeholder for a file that could not be read, so that a list of
 * models can show it with its error. */
TesseraModel *
tessera_model_new_failed (GFile        *file,
                          const GError *error)
{
  TesseraModel *self = g_object_new (TESSERA_TYPE_MODEL, NULL);

  self->file = g_object_ref (file);
  self->name = display_name (file);
  self->error = g_error_copy (error);
  return self;
}

TesseraStateDict *
tessera_model_get_state_dict (TesseraModel *self)
{
  return self->state_dict;
}

const TesseraArchInfo *
tessera_model_get_arch_info (TesseraModel *self)
{
  return &self->info;
}

/**
 * tessera_model_count_macs:
 * @width: an input width
 * @height: an input height
 *
 * What upscaling a @width × @height image costs: the multiply-adds of the
 * model's convolutions and fully connected layers, for one pass and
 * without tiling's overlap. Reads the weights, as running the model does.
 *
 * Returns: the count, or 0 with @error set when the model does not run
 */
guint64
tessera_model_count_macs (TesseraModel  *self,
                          guint          width,
                          guint          height,
                          GError       **error)
{
  g_autoptr(TesseraNetwork) network = NULL;
  guint64 macs;

  g_return_val_if_fail (TESSERA_IS_MODEL (self), 0);

  network = tessera_network_new (self, error);
  if (network == NULL)
    return 0;

  macs = tessera_network_count_macs (network, width, height);
  if (macs == 0)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                 _("%s: a %u×%u image is too small for this model"), self->name, width, height);
  return macs;
}

/**
 * tessera_model_save_safetensors:
 * @self: a #TesseraModel
 * @file: where to write
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes the model's state dict as safetensors, with `__metadata__` naming
 * the architecture, scale and source file, so that it loads back to the
 * same tensors and is recognised the same way.
 *
 * Returns: %TRUE on success
 */
gboolean
tessera_model_save_safetensors (TesseraModel  *self,
                                GFile         *file,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(TesseraOutputFile) output = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *scale = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (TESSERA_IS_MODEL (self), FALSE);
  g_return_val_if_fail (self->state_dict != NULL, FALSE);

  source = g_file_get_basename (self->file);
  scale = g_strdup_printf ("%u", self->info.scale);
  tessera_state_dict_set_metadata (self->state_dict, "arch", tessera_arch_to_string (self->info.arch));
  tessera_state_dict_set_metadata (self->state_dict, "scale", scale);
  tessera_state_dict_set_metadata (self->state_dict, "source", source);

  output = tessera_output_file_open (file, error);
  if (output == NULL)
    return FALSE;

  if (!tessera_safetensors_write (self->state_dict, tessera_output_file_get_stream (output),
                                  cancellable, &local_error))
    {
      name = tessera_file_dup_display_name (file);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
      return FALSE;
    }

  return tessera_output_file_commit (output, cancellable, error);
}

GFile *
tessera_model_get_file (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), NULL);

  return self->file;
}

/**
 * tessera_model_get_name:
 *
 * Returns: the file's name without its extension, as people know the model
 */
const char *
tessera_model_get_name (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), NULL);

  return self->name;
}

/**
 * tessera_model_get_error:
 *
 * Returns: (nullable): why the file could not be read, for a model the
 *   library lists though it is broken
 */
const GError *
tessera_model_get_error (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), NULL);

  return self->error;
}

TesseraModelFormat
tessera_model_get_format (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), 0);

  return self->format;
}

TesseraArch
tessera_model_get_arch (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), TESSERA_ARCH_UNKNOWN);

  return self->info.arch;
}

/**
 * tessera_model_get_supported:
 *
 * Returns: whether this version of Tessera can run the model; recognised
 *   architectures it cannot run yet (DAT, HAT…) say %FALSE
 */
gboolean
tessera_model_get_supported (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), FALSE);

  return self->info.supported;
}

/**
 * tessera_model_get_not_run_reason:
 *
 * Returns: (nullable): why this version of Tessera cannot run a recognised
 *   model, a translated clause such as “it uses an absolute position
 *   embedding, which Tessera does not run yet”; %NULL when it runs
 */
const char *
tessera_model_get_not_run_reason (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), NULL);

  if (self->info.supported)
    return NULL;
  return self->info.not_run != NULL ? self->info.not_run : _("this version of Tessera does not run it yet");
}

guint
tessera_model_get_scale (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), 0);

  return self->info.scale;
}

guint
tessera_model_get_in_channels (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), 0);

  return self->info.in_channels;
}

guint
tessera_model_get_out_channels (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), 0);

  return self->info.out_channels;
}

/**
 * tessera_model_get_num_feat:
 *
 * Returns: the feature width, or 0 where the architecture has none
 */
guint
tessera_model_get_num_feat (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), 0);

  return self->info.num_feat;
}

/**
 * tessera_model_get_num_blocks:
 *
 * Returns: the block count (RRDB blocks, Compact's inner convolutions,
 *   transformer groups), or 0 where the architecture has none
 */
guint
tessera_model_get_num_blocks (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), 0);

  return self->info.num_blocks;
}

guint64
tessera_model_get_n_params (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), 0);

  return self->n_params;
}

/**
 * tessera_model_get_hyperparameters:
 *
 * The architecture's settings that the other getters do not tell, as its
 * reference implementation (spandrel) names them and reads them off the
 * weights: for SwinIR `embed_dim`, `depths`, `num_heads`, `window_size`,
 * `mlp_ratio`, `upsampler` and so on.
 *
 * Returns: (nullable) (transfer none): a dictionary (`a{sv}`), or %NULL
 *   when there is nothing more to tell
 */
GVariant *
tessera_model_get_hyperparameters (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), NULL);

  return self->hyperparameters;
}

/**
 * tessera_model_get_dtype:
 *
 * Returns: (nullable): the precision most weights are stored in: `f32`,
 *   `f16` or `bf16`
 */
const char *
tessera_model_get_dtype (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), NULL);

  return self->dtype;
}

/**
 * tessera_model_get_file_size:
 *
 * Returns: bytes on disk, the .param and .bin together for ncnn
 */
guint64
tessera_model_get_file_size (TesseraModel *self)
{
  g_return_val_if_fail (TESSERA_IS_MODEL (self), 0);

  return self->file_size;
}
