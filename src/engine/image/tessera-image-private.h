/* tessera-image-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/tessera-progress-private.h"
#include "tessera-image.h"

G_BEGIN_DECLS

/* How a text chunk was stored, so that a round trip writes it back the same way. */
typedef enum
{
  TESSERA_TEXT_PLAIN,                     /* tEXt */
  TESSERA_TEXT_COMPRESSED,                /* zTXt */
  TESSERA_TEXT_INTERNATIONAL,             /* iTXt */
  TESSERA_TEXT_INTERNATIONAL_COMPRESSED,  /* iTXt, compressed */
} TesseraTextKind;

typedef struct
{
  char            *keyword;             /* UTF-8 */
  char            *text;                /* UTF-8 */
  char            *language;            /* iTXt only, may be NULL */
  char            *translated_keyword;  /* iTXt only, may be NULL */
  TesseraTextKind  kind;
} TesseraImageText;

gboolean      tessera_image_check_size         (guint                width,
                                                guint                height,
                                                const char          *what,
                                                GError             **error);
void          tessera_image_add_text           (TesseraImage        *self,
                                                const char          *keyword,
                                                const char          *text,
                                                TesseraTextKind      kind,
                                                const char          *language,
                                                const char          *translated_keyword);
GPtrArray    *tessera_image_get_texts          (TesseraImage        *self);
const char   *tessera_image_get_icc_profile_name (TesseraImage      *self);
void          tessera_image_set_icc_profile_name (TesseraImage      *self,
                                                const char          *name);
double        tessera_image_get_gamma          (TesseraImage        *self);
void          tessera_image_set_gamma          (TesseraImage        *self,
                                                double               gamma);
int           tessera_image_get_srgb_intent    (TesseraImage        *self);
void          tessera_image_set_srgb_intent    (TesseraImage        *self,
                                                int                  intent);

/* 8-bit and 16-bit samples to and from the engine's floats in [0, 1]. */
extern float  tessera_u8_to_float[256];
void          tessera_image_init_tables        (void);

static inline guint8
tessera_float_to_u8 (float v)
{
  v = v < 0.f ? 0.f : (v > 1.f ? 1.f : v);
  return (guint8) (v * 255.f + 0.5f);
}

static inline guint16
tessera_float_to_u16 (float v)
{
  v = v < 0.f ? 0.f : (v > 1.f ? 1.f : v);
  return (guint16) (v * 65535.f + 0.5f);
}

TesseraImage *tessera_image_load_stream        (GInputStream        *stream,
                                                const char          *name,
                                                GCancellable        *cancellable,
                                                GError             **error);
TesseraImage *tessera_image_load_png           (GInputStream        *stream,
                                                goffset              size,
                                                const char          *name,
                                                GCancellable        *cancellable,
                                                GError             **error);
gboolean      tessera_image_save_png           (TesseraImage        *self,
                                                GOutputStream       *stream,
                                                const char          *name,
                                                GCancellable        *cancellable,
                                                TesseraProgress     *progress,
                                                GError             **error);
TesseraImage *tessera_image_load_pixbuf        (GInputStream        *stream,
                                                const char          *name,
                                                GCancellable        *cancellable,
                                                GError             **error);
gboolean      tessera_image_save_pixbuf        (TesseraImage        *self,
                                                GOutputStream       *stream,
                                                TesseraImageFormat   format,
                                                int                  quality,
                                                const char          *name,
                                                GCancellable        *cancellable,
                                                GError             **error);

/* Whether a folder's listing takes the file at @relative below @folder. */
typedef gboolean (*TesseraFolderFilterFunc) (GFile      *folder,
                                             const char *relative,
                                             gpointer    user_data);

gboolean      tessera_image_is_image_name        (const char              *name);
GPtrArray    *tessera_image_list_folder_filtered (GFile                   *folder,
                                                  gboolean                 recursive,
                                                  TesseraFolderFilterFunc  accept,
                                                  gpointer                 accept_data,
                                                  GError                 **error);

char         *tessera_image_exif_user_comment  (const guint8        *data,
                                                gsize                size);
char         *tessera_image_read_user_comment  (const guint8        *data,
                                                gsize                size);

G_END_DECLS
