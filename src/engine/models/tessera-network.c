/* tessera-network.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-network"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "archs/tessera-arch-private.h"
#include "core/tessera-error.h"
#include "core/tessera-memory-private.h"
#include "tessera-model-private.h"
#include "tessera-network-private.h"

struct _TesseraNetwork
{
  gint               ref_count;
  TesseraModel      *model;
  char              *file_name;   /* for messages */
  TesseraStateDict  *state_dict;
  TesseraArchInfo    info;
  TesseraArchRecipe  recipe;
  TesseraWeights    *weights;
  double             noise_level; /* for networks that take it as an input; negative: their default */
  GHashTable        *graphs;      /* "HxW" → TesseraGraph */
  GMutex             mutex;       /* guards graphs */
};

static gsize
shape_floats (const TesseraShape *shape)
{
  return (gsize) shape->channels * shape->height * shape->width;
}

/* The graph for a padded input of @height × @width, built on first use.
 * @probing: the size is one the architecture surely takes, so a shape
 * error means the tensors do not fit. */
static TesseraGraph *
ensure_graph (TesseraNetwork  *self,
              guint            height,
              guint            width,
              gboolean         probing,
              GError         **error)
{
  g_autofree char *key = g_strdup_printf ("%ux%u", height, width);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(GError) local_error = NULL;
  g_autofree TesseraShape *shapes = NULL;
  TesseraBuilder builder = { self->weights, self->state_dict, NULL, NULL, self->noise_level };
  TesseraShape input = { self->info.in_channels, height, width };
  TesseraGraph *graph;

  graph = g_hash_table_lookup (self->graphs, key);
  if (graph != NULL)
    return graph;

  builder.graph = tessera_graph_new (self->info.in_channels);
  self->recipe.build (&builder, &self->info, height, width);
  if (builder.error != NULL)
    {
      tessera_graph_free (builder.graph);
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("%s: its tensors do not fit a %s: %s"),
                   self->file_name, tessera_arch_get_title (self->info.arch),
                   builder.error->message);
      g_error_free (builder.error);
      return NULL;
    }

  shapes = g_new (TesseraShape, tessera_graph_get_n_nodes (builder.graph));
  if (!tessera_graph_infer_shapes (builder.graph, &input, shapes, &local_error))
    {
      tessera_graph_free (builder.graph);
      if (probing)
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("%s: its tensors do not fit a %s: %s"),
                     self->file_name, tessera_arch_get_title (self->info.arch),
                     local_error->message);
      else
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                     _("%s: a %u×%u image is too small for this model (%s)"),
                     self->file_name, width, height, local_error->message);
      return NULL;
    }

  tessera_graph_plan_stripes (builder.graph, &input);
  g_hash_table_insert (self->graphs, g_steal_pointer (&key), builder.graph);
  return builder.graph;
}

/**
 * tessera_network_new:
 *
 * Makes @model runnable: converts its weights to float32 and checks that
 * they fit its architecture by building the graph for a small input.
 */
TesseraNetwork *
tessera_network_new (TesseraModel  *model,
                     GError       **error)
{
  g_autoptr(TesseraNetwork) self = NULL;
  const TesseraArchInfo *info;
  guint probe;

  if (tessera_model_get_error (model) != NULL)
    {
      g_propagate_error (error, g_error_copy (tessera_model_get_error (model)));
      return NULL;
    }

  self = g_new0 (TesseraNetwork, 1);
  self->ref_count = 1;
  self->model = g_object_ref (model);
  self->file_name = g_file_get_basename (tessera_model_get_file (model));
  self->state_dict = tessera_state_dict_ref (tessera_model_get_state_dict (model));
  self->noise_level = -1.0;
  self->graphs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) tessera_graph_free);
  g_mutex_init (&self->mutex);

  info = tessera_model_get_arch_info (model);
  self->info = *info;
  if (!tessera_arch_get_recipe (self->state_dict, info, &self->recipe, error))
    {
      g_prefix_error (error, "%s: ", self->file_name);
      return NULL;
    }

  self->weights = tessera_weights_new (self->state_dict);
  if (self->weights == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("%s: not enough memory for the model's weights"), self->file_name);
      return NULL;
    }

  /* A first graph proves that every tensor the forward pass reads is
   * there with the right shape; the size is one every architecture takes. */
  probe = MAX (64, self->recipe.minimum);
  probe = (probe + self->recipe.multiple_of - 1) / self->recipe.multiple_of * self->recipe.multiple_of;
  if (ensure_graph (self, probe, probe, TRUE, error) == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

TesseraNetwork *
tessera_network_ref (TesseraNetwork *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
tessera_network_unref (TesseraNetwork *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_clear_pointer (&self->graphs, g_hash_table_unref);
  g_clear_pointer (&self->weights, tessera_weights_free);
  g_clear_pointer (&self->state_dict, tessera_state_dict_unref);
  g_clear_object (&self->model);
  g_free (self->file_name);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

TesseraModel *
tessera_network_get_model (TesseraNetwork *self)
{
  return self->model;
}

guint
tessera_network_get_scale (TesseraNetwork *self)
{
  return self->info.scale;
}

guint
tessera_network_get_in_channels (TesseraNetwork *self)
{
  return self->info.in_channels;
}

guint
tessera_network_get_out_channels (TesseraNetwork *self)
{
  return self->info.out_channels;
}

/* The reflected border the model's family is run with by its own tools. */
guint
tessera_network_get_pre_pad (TesseraNetwork *self)
{
  return self->recipe.pre_pad;
}

/* What a tile's sides and overlap are multiples of: the attention
 * window, where the model has one; 1 for any size. */
guint
tessera_network_get_tile_multiple (TesseraNetwork *self)
{
  return MAX (1, self->info.tile_multiple);
}

gsize
tessera_network_get_weight_bytes (TesseraNetwork *self)
{
  return tessera_weights_get_bytes (self->weights);
}

/* The size spandrel pads an input to before the forward pass. */
static void
padded_size (TesseraNetwork *self,
             guint           height,
             guint           width,
             guint          *padded_height,
             guint          *padded_width)
{
  guint m = self->recipe.multiple_of;

  *padded_height = (MAX (height, self->recipe.minimum) + m - 1) / m * m;
  *padded_width = (MAX (width, self->recipe.minimum) + m - 1) / m * m;
}

/**
 * tessera_network_blend:
 * @weight: how much of @self to keep
 *
 * Replaces every weight w of @self with @weight · w + (1 − @weight) · w′,
 * w′ being @other's weight of the same name: deep network interpolation,
 * as Real-ESRGAN blends a model with its denoising twin. Blend before
 * the network first runs: backends keep the forms of the weights they
 * have run.
 */
gboolean
tessera_network_blend (TesseraNetwork  *self,
                       TesseraNetwork  *other,
                       float            weight,
                       GError         **error)
{
  const char *differing = NULL;

  if (!tessera_weights_blend (self->weights, other->weights, weight, &differing))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("%s and %s cannot be blended: their tensor “%s” differs"),
                   self->file_name, other->file_name, differing);
      return FALSE;
    }

  /* Graphs built so far hold weights derived from the old ones (SPAN's
   * fused kernels, DAT's regrouped rows): built again when asked for. */
  g_mutex_lock (&self->mutex);
  g_hash_table_remove_all (self->graphs);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

/**
 * tessera_network_set_noise_level:
 * @level: the denoise setting, from 0 to 1, or negative for the family's
 *   default
 *
 * Sets the noise level of a network that takes one as an input (DRUNet's
 * noise map, FBCNN's quality factor); others ignore it.
 */
void
tessera_network_set_noise_level (TesseraNetwork *self,
                                 double          level)
{
  g_mutex_lock (&self->mutex);
  if (self->noise_level != level)
    {
      self->noise_level = level;
      /* The level is built into each graph. */
      g_hash_table_remove_all (self->graphs);
    }
  g_mutex_unlock (&self->mutex);
}

/* Where padded index @i reads from, padding right or bottom as spandrel's
 * pad_tensor(): by reflection as far as the image reaches, then by
 * repeating the last reflected sample, which is sample 0. */
static guint
pad_source (guint i,
            guint size)
{
  guint past = i - size + 1;

  if (i < size)
    return i;
  return past <= size - 1 ? size - 1 - past : 0;
}

static void
pad_right_bottom (const float *input,
                  guint        channels,
                  guint        height,
                  guint        width,
                  float       *output,
                  guint        padded_height,
                  guint        padded_width)
{
  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < padded_height; y++)
      {
        const float *src = input + ((gsize) c * height + pad_source (y, height)) * width;
        float *dst = output + ((gsize) c * padded_height + y) * padded_width;

        for (guint x = 0; x < padded_width; x++)
          dst[x] = src[pad_source (x, width)];
      }
}

/**
 * tessera_network_run:
 * @input: in-channels planes of @height × @width
 * @output: out-channels planes of (@height × scale) × (@width × scale)
 *
 * Runs the network on one image or tile, whole.
 */
gboolean
tessera_network_run (TesseraNetwork  *self,
                     TesseraBackend  *backend,
                     const float     *input,
                     guint            width,
                     guint            height,
                     float           *output,
                     GCancellable    *cancellable,
                     GError         **error)
{
  guint s = self->info.scale, channels = self->info.out_channels;
  guint ph, pw;
  TesseraShape shape;
  TesseraGraph *graph;
  g_autofree float *padded = NULL;
  g_autofree float *full = NULL;

  padded_size (self, height, width, &ph, &pw);
  graph = ensure_graph (self, ph, pw, FALSE, error);
  if (graph == NULL)
    return FALSE;

  shape = (TesseraShape) { self->info.in_channels, ph, pw };
  if (ph == height && pw == width)
    return tessera_graph_run (graph, backend, input, &shape, output, cancellable, error);

  padded = g_try_malloc_n (shape_floats (&shape), sizeof (float));
  full = g_try_malloc_n ((gsize) channels * ph * s * pw * s, sizeof (float));
  if (padded == NULL || full == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY, _("not enough memory to pad the image"));
      return FALSE;
    }

  pad_right_bottom (input, shape.channels, height, width, padded, ph, pw);
  if (!tessera_graph_run (graph, backend, padded, &shape, full, cancellable, error))
    return FALSE;

  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < height * s; y++)
      memcpy (output + ((gsize) c * height * s + y) * width * s,
              full + ((gsize) c * ph * s + y) * pw * s, (gsize) width * s * sizeof (float));
  return TRUE;
}

/* Bytes a run on @width × @height needs at most, or 0 when it cannot run. */
gsize
tessera_network_peak_bytes (TesseraNetwork *self,
                            guint           width,
                            guint           height)
{
  guint ph, pw;
  TesseraGraph *graph;
  TesseraShape shape;
  gsize extra = 0;

  padded_size (self, height, width, &ph, &pw);
  graph = ensure_graph (self, ph, pw, FALSE, NULL);
  if (graph == NULL)
    return 0;

  /* The output comes back to the host. */
  shape = (TesseraShape) { self->info.in_channels, ph, pw };
  extra = (gsize) self->info.out_channels * height * width * self->info.scale * self->info.scale;
  if (ph != height || pw != width)
    extra += shape_floats (&shape) + (gsize) self->info.out_channels * ph * pw * self->info.scale * self->info.scale;
  return (tessera_graph_peak_floats (graph, &shape) + extra) * sizeof (float);
}

guint64
tessera_network_count_macs (TesseraNetwork *self,
                            guint           width,
                            guint           height)
{
  guint ph, pw;
  TesseraGraph *graph;
  TesseraShape shape;

  padded_size (self, height, width, &ph, &pw);
  graph = ensure_graph (self, ph, pw, FALSE, NULL);
  if (graph == NULL)
    return 0;

  shape = (TesseraShape) { self->info.in_channels, ph, pw };
  return tessera_graph_count_macs (graph, &shape);
}
