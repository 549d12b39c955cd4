/* tessera-test-utils.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera.h"
#include <json-glib/json-glib.h>

#include "backends/cpu/tessera-cpu-private.h"
#include "models/tessera-network-private.h"
#include "tessera-runner-private.h"

G_BEGIN_DECLS

typedef struct
{
  char    type[5];
  GBytes *data;
} TestChunk;

GFile        *test_data_file         (const char  *relative_path);
TesseraImage *test_load_image        (const char  *relative_path);
char         *test_make_tmpdir       (void);
void          test_remove_tmpdir     (char        *path);
guint         test_count_files       (const char  *dir);
GPtrArray    *test_read_png_chunks   (const char  *path);
TestChunk    *test_find_chunk        (GPtrArray   *chunks,
                                      const char  *type,
                                      const char  *keyword);
guint8        test_u8                (float        value);

char         *test_real_model_path   (const char  *relative);
char         *test_refs_path         (const char  *relative);
char         *test_convert_ncnn_model (const char *name,
                                      const char  *dir);
char         *test_manifest_model_path (const char *path,
                                      const char  *dir);
TesseraModel *test_load_model        (const char  *path);
/* The network of the model file at @path, which must load. */
TesseraNetwork *test_load_network    (const char  *path);
float        *test_load_npy          (const char  *path,
                                      guint       *n_dims,
                                      guint       *shape);

/* One case of data/refs/MANIFEST.json: the input (1 × C × H × W)
 * and spandrel's raw output, float32. */
typedef struct
{
  char  *name;
  float *input;
  float *reference;
  guint  width;
  guint  height;
  gsize  n_output;
} TestRefCase;

GPtrArray    *test_load_ref_cases    (const char  *model);
double        test_max_relative_error (const float *ours,
                                      const float *reference,
                                      gsize        n);
double        test_run_ref_cases     (TesseraNetwork *network,
                                      GPtrArray   *cases,
                                      guint        scale,
                                      const char  *from);
void          test_assert_ref_containers (const char *model,
                                      guint        n_cases,
                                      guint        tile_multiple,
                                      void       (*check) (TesseraModel *model));
char         *test_run_inspect       (const char  *path,
                                      gboolean     json);
JsonParser   *test_inspect_json      (const char  *path,
                                      JsonObject **object);
double        test_run_data_case     (TesseraNetwork *network,
                                      const char  *folder,
                                      const char  *name,
                                      guint        channels,
                                      guint        scale);
/* What test_write_edited_model() changes in a model's state dict. */
typedef struct
{
  const char *drop;          /* a tensor left out */
  const char *transpose;     /* a 2-D tensor whose dimensions are swapped */
  const char *add;           /* a float32 tensor of zeros added, of add_shape */
  guint       add_dims;
  guint64     add_shape[4];
} TestModelEdit;

void          test_assert_edit_fails  (TesseraModel        *model,
                                       const TestModelEdit *edit,
                                       const char          *named);
double        test_small_against_padded (TesseraNetwork *network,
                                         guint           width,
                                         guint           height,
                                         guint           side,
                                         guint           scale);
char         *test_write_edited_model (TesseraModel        *model,
                                       const char          *dir,
                                       const TestModelEdit *edit);
double        test_tiled_against_whole (TesseraNetwork          *network,
                                        guint                    width,
                                        guint                    height,
                                        const TesseraRunOptions *options,
                                        guint                    multiple,
                                        guint32                  seed,
                                        double                  *mean);

/* A whole block of a Stable Diffusion network, from data/sd-ops: its
 * graph (which owns the parameters), input and PyTorch's output. */
typedef struct
{
  char         *name;
  TesseraGraph *graph;
  float        *input;
  TesseraShape  shape;
  float        *reference;
  gsize         n_output;
} TestSdBlock;

GPtrArray    *test_load_sd_blocks    (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestChunk, g_free)

G_END_DECLS
