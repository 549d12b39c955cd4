/* tessera-upscaler-info.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-upscaler-info"

#include "config.h"

#include "tessera-enums.h"
#include "tessera-upscaler-info.h"

/**
 * TesseraUpscalerInfo:
 *
 * What can be picked as an upscaler: its name for options and scripts,
 * a title and a description for people, and its kind.
 */
struct _TesseraUpscalerInfo
{
  GObject              parent_instance;

  char                *name;
  char                *title;
  char                *description;
  TesseraUpscalerKind  kind;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_TITLE,
  PROP_DESCRIPTION,
  PROP_KIND,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TesseraUpscalerInfo, tessera_upscaler_info, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
tessera_upscaler_info_finalize (GObject *object)
{
  TesseraUpscalerInfo *self = (TesseraUpscalerInfo *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (tessera_upscaler_info_parent_class)->finalize (object);
}

static void
tessera_upscaler_info_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TesseraUpscalerInfo *self = TESSERA_UPSCALER_INFO (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_upscaler_info_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  TesseraUpscalerInfo *self = TESSERA_UPSCALER_INFO (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_TITLE:
      self->title = g_value_dup_string (value);
      break;
    case PROP_DESCRIPTION:
      self->description = g_value_dup_string (value);
      break;
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_upscaler_info_class_init (TesseraUpscalerInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_upscaler_info_finalize;
  object_class->get_property = tessera_upscaler_info_get_property;
  object_class->set_property = tessera_upscaler_info_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       TESSERA_TYPE_UPSCALER_KIND, TESSERA_UPSCALER_KIND_CLASSIC,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_upscaler_info_init (TesseraUpscalerInfo *self)
{
}

TesseraUpscalerInfo *
tessera_upscaler_info_new (const char          *name,
                           const char          *title,
                           const char          *description,
                           TesseraUpscalerKind  kind)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (TESSERA_TYPE_UPSCALER_INFO,
                       "name", name,
                       "title", title,
                       "description", description,
                       "kind", kind,
                       NULL);
}

const char *
tessera_upscaler_info_get_name (TesseraUpscalerInfo *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALER_INFO (self), NULL);

  return self->name;
}

const char *
tessera_upscaler_info_get_title (TesseraUpscalerInfo *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALER_INFO (self), NULL);

  return self->title;
}

const char *
tessera_upscaler_info_get_description (TesseraUpscalerInfo *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALER_INFO (self), NULL);

  return self->description;
}

TesseraUpscalerKind
tessera_upscaler_info_get_kind (TesseraUpscalerInfo *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALER_INFO (self), TESSERA_UPSCALER_KIND_CLASSIC);

  return self->kind;
}
