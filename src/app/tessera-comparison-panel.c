/* tessera-comparison-panel.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-comparison-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-comparison-geometry.h"
#include "tessera-comparison-panel.h"

/* The choices of a comparison of upscalers on a region: up to four
 * upscalers (the first two always, the others or none), the region as
 * the before/after view has it, and whether to compare the whole image
 * instead. The window runs the comparison (win.run-comparison) on its
 * results page; the region is reset by win.reset-region.
 *
 * With Redraw on, it can compare a redraw's settings instead: 2 to 4
 * denoising strengths, seeds or checkpoints, each row a value, starting
 * at the Redraw panel's own (tessera_comparison_panel_set_redraw_current()). */

struct _TesseraComparisonPanel
{
  AdwBin        parent_instance;

  AdwComboRow  *rows[TESSERA_COMPARISON_MAX_RESULTS];
  AdwActionRow *region_row;
  AdwComboRow  *kind_row;
  GtkWidget    *count_row;
  GtkSpinButton *count_spin;
  GtkWidget    *value_rows[TESSERA_COMPARISON_MAX_RESULTS];
  GtkSpinButton *value_spins[TESSERA_COMPARISON_MAX_RESULTS];
  GtkDropDown  *checkpoint_dropdowns[TESSERA_COMPARISON_MAX_RESULTS];

  GListModel   *upscalers;
  char         *default_upscaler;
  gboolean      whole_image;
  gboolean      redraw_enabled;
};

G_DEFINE_FINAL_TYPE (TesseraComparisonPanel, tessera_comparison_panel, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_COMPARED_UPSCALERS,
  PROP_DEFAULT_UPSCALER,
  PROP_WHOLE_IMAGE,
  PROP_REDRAW_ENABLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The choices of the rows after the first two: none, and each upscaler. */
static GListModel *
upscalers_or_none (GListModel *upscalers)
{
  GListStore *parts = g_list_store_new (G_TYPE_LIST_MODEL);
  g_autoptr(GListStore) none = g_list_store_new (TESSERA_TYPE_UPSCALER_INFO);
  g_autoptr(TesseraUpscalerInfo) nothing = tessera_upscaler_info_new ("", _("None"), "", TESSERA_UPSCALER_KIND_CLASSIC);

  g_list_store_append (none, nothing);
  g_list_store_append (parts, none);
  g_list_store_append (parts, upscalers);
  return G_LIST_MODEL (gtk_flatten_list_model_new (G_LIST_MODEL (parts)));
}

static TesseraUpscalerInfo *
row_choice (TesseraComparisonPanel *self,
            guint                   row)
{
  TesseraUpscalerInfo *info = adw_combo_row_get_selected_item (self->rows[row]);

  return info != NULL && tessera_upscaler_info_get_name (info)[0] != '\0' ? info : NULL;
}

/* The first two rows start at the default upscaler and the next one of
 * the other kind (a model beside a filter, or the other way), so that
 * one click compares something; the others at none. */
static void
choose_defaults (TesseraComparisonPanel *self)
{
  g_autoptr(TesseraUpscalerInfo) chosen_info = NULL;
  guint n_upscalers = g_list_model_get_n_items (self->upscalers);
  guint chosen = 0;
  guint other;

  for (guint i = 0; self->default_upscaler != NULL && i < n_upscalers; i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (self->upscalers, i);

      if (g_str_equal (tessera_upscaler_info_get_name (info), self->default_upscaler))
        {
          chosen = i;
          chosen_info = g_steal_pointer (&info);
          break;
        }
    }
  other = chosen == 0 ? 1 : 0;
  for (guint i = 0; chosen_info != NULL && i < n_upscalers; i++)
    {
      g_autoptr(TesseraUpscalerInfo) candidate = g_list_model_get_item (self->upscalers, i);

      if (tessera_upscaler_info_get_kind (candidate) != tessera_upscaler_info_get_kind (chosen_info))
        {
          other = i;
          break;
        }
    }
  adw_combo_row_set_selected (self->rows[0], chosen);
  adw_combo_row_set_selected (self->rows[1], other);
  for (guint row = 2; row < TESSERA_COMPARISON_MAX_RESULTS; row++)
    adw_combo_row_set_selected (self->rows[row], 0);
}

/* The names of the upscalers the rows have chosen. */
static GStrv
get_compared_upscalers (TesseraComparisonPanel *self)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS; row++)
    {
      TesseraUpscalerInfo *info = row_choice (self, row);

      if (info != NULL)
        g_strv_builder_add (names, tessera_upscaler_info_get_name (info));
    }
  return g_strv_builder_end (names);
}

/* Rows past @names choose none; names no longer offered, the defaults. */
static void
set_compared_upscalers (TesseraComparisonPanel *self,
                        const char * const     *names)
{
  guint n = names != NULL ? g_strv_length ((GStrv) names) : 0;

  if (self->upscalers == NULL)
    return;

  choose_defaults (self);
  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS && row < n; row++)
    {
      GListModel *choices = adw_combo_row_get_model (self->rows[row]);

      for (guint i = 0; i < g_list_model_get_n_items (choices); i++)
        {
          g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (choices, i);

          if (g_str_equal (tessera_upscaler_info_get_name (info), names[row]))
            adw_combo_row_set_selected (self->rows[row], i);
        }
    }
}

static void
tessera_comparison_panel_row_selected_cb (TesseraComparisonPanel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARED_UPSCALERS]);
}

/* The rows of the kind compared: the upscalers' combo rows, or as many
 * value rows as asked for, each with a spin button or a checkpoint. */
static void
tessera_comparison_panel_kind_selected_cb (TesseraComparisonPanel *self)
{
  TesseraComparisonKind kind = tessera_comparison_panel_get_kind (self);
  guint n = gtk_spin_button_get_value_as_int (self->count_spin);

  gtk_widget_set_visible (self->count_row, kind != TESSERA_COMPARISON_UPSCALERS);
  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS; row++)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->rows[row]), kind == TESSERA_COMPARISON_UPSCALERS);
      gtk_widget_set_visible (self->value_rows[row], kind != TESSERA_COMPARISON_UPSCALERS && row < n);
      gtk_widget_set_visible (GTK_WIDGET (self->value_spins[row]), kind == TESSERA_COMPARISON_DENOISE ||
                                                                   kind == TESSERA_COMPARISON_SEEDS);
      gtk_widget_set_visible (GTK_WIDGET (self->checkpoint_dropdowns[row]), kind == TESSERA_COMPARISON_CHECKPOINTS);
      if (kind == TESSERA_COMPARISON_DENOISE)
        {
          gtk_spin_button_set_digits (self->value_spins[row], 2);
          gtk_spin_button_set_range (self->value_spins[row], 0.0, 1.0);
          gtk_spin_button_set_increments (self->value_spins[row], 0.05, 0.1);
        }
      else if (kind == TESSERA_COMPARISON_SEEDS)
        {
          gtk_spin_button_set_digits (self->value_spins[row], 0);
          gtk_spin_button_set_range (self->value_spins[row], 0.0, G_MAXUINT32);
          gtk_spin_button_set_increments (self->value_spins[row], 1.0, 100.0);
        }
    }
}

/* Checkpoints by their files' names, as the Redraw panel shows them. */
static char *
checkpoint_title (TesseraCheckpoint *checkpoint)
{
  return checkpoint != NULL ? g_file_get_basename (tessera_checkpoint_get_file (checkpoint)) : NULL;
}

static void
tessera_comparison_panel_dispose (GObject *object)
{
  TesseraComparisonPanel *self = TESSERA_COMPARISON_PANEL (object);

  g_clear_object (&self->upscalers);
  g_clear_pointer (&self->default_upscaler, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_COMPARISON_PANEL);

  G_OBJECT_CLASS (tessera_comparison_panel_parent_class)->dispose (object);
}

static void
tessera_comparison_panel_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  TesseraComparisonPanel *self = TESSERA_COMPARISON_PANEL (object);

  switch (prop_id)
    {
    case PROP_COMPARED_UPSCALERS:
      g_value_take_boxed (value, get_compared_upscalers (self));
      break;
    case PROP_DEFAULT_UPSCALER:
      g_value_set_string (value, self->default_upscaler);
      break;
    case PROP_WHOLE_IMAGE:
      g_value_set_boolean (value, self->whole_image);
      break;
    case PROP_REDRAW_ENABLED:
      g_value_set_boolean (value, self->redraw_enabled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_comparison_panel_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  TesseraComparisonPanel *self = TESSERA_COMPARISON_PANEL (object);

  switch (prop_id)
    {
    case PROP_COMPARED_UPSCALERS:
      set_compared_upscalers (self, g_value_get_boxed (value));
      break;
    case PROP_DEFAULT_UPSCALER:
      if (g_strcmp0 (self->default_upscaler, g_value_get_string (value)) != 0)
        {
          g_free (self->default_upscaler);
          self->default_upscaler = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_WHOLE_IMAGE:
      if (self->whole_image != g_value_get_boolean (value))
        {
          self->whole_image = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_REDRAW_ENABLED:
      if (self->redraw_enabled != g_value_get_boolean (value))
        {
          self->redraw_enabled = g_value_get_boolean (value);
          tessera_comparison_panel_kind_selected_cb (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_comparison_panel_class_init (TesseraComparisonPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_comparison_panel_dispose;
  object_class->get_property = tessera_comparison_panel_get_property;
  object_class->set_property = tessera_comparison_panel_set_property;

  /* The names of the upscalers the rows have chosen; set, rows past
   * them choose none. */
  properties[PROP_COMPARED_UPSCALERS] =
    g_param_spec_boxed ("compared-upscalers", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* The upscaler the first row starts at: the one chosen to upscale with. */
  properties[PROP_DEFAULT_UPSCALER] =
    g_param_spec_string ("default-upscaler", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Whether the first two compare the whole image, in the before/after view. */
  properties[PROP_WHOLE_IMAGE] =
    g_param_spec_boolean ("whole-image", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Whether Redraw is on: a redraw's settings can be compared. */
  properties[PROP_REDRAW_ENABLED] =
    g_param_spec_boolean ("redraw-enabled", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TESSERA_TYPE_UPSCALER_INFO);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-comparison-panel.ui");
  gtk_widget_class_bind_template_child_full (widget_class, "row_1", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, rows[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "row_2", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, rows[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "row_3", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, rows[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "row_4", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, rows[3]));
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonPanel, region_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonPanel, kind_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonPanel, count_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonPanel, count_spin);
  gtk_widget_class_bind_template_child_full (widget_class, "value_row_1", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, value_rows[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "value_spin_1", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, value_spins[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "checkpoint_dropdown_1", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, checkpoint_dropdowns[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "value_row_2", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, value_rows[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "value_spin_2", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, value_spins[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "checkpoint_dropdown_2", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, checkpoint_dropdowns[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "value_row_3", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, value_rows[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "value_spin_3", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, value_spins[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "checkpoint_dropdown_3", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, checkpoint_dropdowns[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "value_row_4", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, value_rows[3]));
  gtk_widget_class_bind_template_child_full (widget_class, "value_spin_4", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, value_spins[3]));
  gtk_widget_class_bind_template_child_full (widget_class, "checkpoint_dropdown_4", FALSE,
                                             G_STRUCT_OFFSET (TesseraComparisonPanel, checkpoint_dropdowns[3]));
  gtk_widget_class_bind_template_callback (widget_class, tessera_comparison_panel_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_comparison_panel_kind_selected_cb);
}

static void
tessera_comparison_panel_init (TesseraComparisonPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS; row++)
    gtk_drop_down_set_expression (self->checkpoint_dropdowns[row],
                                  gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                               G_CALLBACK (checkpoint_title), NULL, NULL));
}

/**
 * tessera_comparison_panel_setup:
 * @upscalers: the upscalers to offer, as the engine lists them
 * @settings: (nullable): where the choices are kept
 *
 * Fills the rows in; once, before the panel is used.
 */
void
tessera_comparison_panel_setup (TesseraComparisonPanel *self,
                                GListModel             *upscalers,
                                GSettings              *settings)
{
  g_return_if_fail (TESSERA_IS_COMPARISON_PANEL (self));
  g_return_if_fail (G_IS_LIST_MODEL (upscalers));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));
  g_return_if_fail (self->upscalers == NULL);

  self->upscalers = g_object_ref (upscalers);
  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS; row++)
    {
      g_autoptr(GListModel) choices = row < 2 ? g_object_ref (upscalers) : upscalers_or_none (upscalers);

      adw_combo_row_set_model (self->rows[row], choices);
      adw_combo_row_set_selected (self->rows[row], GTK_INVALID_LIST_POSITION);
    }
  if (settings != NULL)
    g_settings_bind (settings, "compared-upscalers", self, "compared-upscalers", G_SETTINGS_BIND_DEFAULT);
}

/* Unless the rows have chosen already, they start at the defaults. */
void
tessera_comparison_panel_ensure_chosen (TesseraComparisonPanel *self)
{
  g_return_if_fail (TESSERA_IS_COMPARISON_PANEL (self));

  if (self->upscalers != NULL && adw_combo_row_get_selected (self->rows[0]) == GTK_INVALID_LIST_POSITION)
    choose_defaults (self);
}

/**
 * tessera_comparison_panel_get_chosen:
 *
 * Returns: (transfer container) (element-type TesseraUpscalerInfo): the
 *   different upscalers the rows have chosen, in their order; the first
 *   two only for the whole image
 */
GPtrArray *
tessera_comparison_panel_get_chosen (TesseraComparisonPanel *self)
{
  GPtrArray *chosen;

  g_return_val_if_fail (TESSERA_IS_COMPARISON_PANEL (self), NULL);

  chosen = g_ptr_array_new ();
  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS && (!self->whole_image || chosen->len < 2); row++)
    {
      TesseraUpscalerInfo *info = row_choice (self, row);
      gboolean again = FALSE;

      for (guint i = 0; info != NULL && i < chosen->len; i++)
        again |= g_ptr_array_index (chosen, i) == info;
      if (info != NULL && !again)
        g_ptr_array_add (chosen, info);
    }
  return chosen;
}

gboolean
tessera_comparison_panel_get_whole_image (TesseraComparisonPanel *self)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_PANEL (self), FALSE);

  return self->whole_image;
}

/* Says where the region is, as the before/after view has it. */
void
tessera_comparison_panel_set_region (TesseraComparisonPanel *self,
                                     const TesseraRect      *region)
{
  g_autofree char *text = NULL;

  g_return_if_fail (TESSERA_IS_COMPARISON_PANEL (self));
  g_return_if_fail (region != NULL);

  /* Translators: a region's size and its top-left corner, in pixels. */
  text = g_strdup_printf (_("%d × %d pixels at %d, %d"), region->width, region->height, region->x, region->y);
  adw_action_row_set_subtitle (self->region_row, text);
}

/**
 * tessera_comparison_panel_setup_redraw:
 * @checkpoints: the Stable Diffusion checkpoints to offer
 *
 * Fills the checkpoint rows in; once, before the panel is used.
 */
void
tessera_comparison_panel_setup_redraw (TesseraComparisonPanel *self,
                                       GListModel             *checkpoints)
{
  g_return_if_fail (TESSERA_IS_COMPARISON_PANEL (self));
  g_return_if_fail (G_IS_LIST_MODEL (checkpoints));

  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS; row++)
    gtk_drop_down_set_model (self->checkpoint_dropdowns[row], checkpoints);
}

/* What is compared: upscalers, unless Redraw is on and asks otherwise. */
TesseraComparisonKind
tessera_comparison_panel_get_kind (TesseraComparisonPanel *self)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_PANEL (self), TESSERA_COMPARISON_UPSCALERS);

  if (!self->redraw_enabled)
    return TESSERA_COMPARISON_UPSCALERS;
  switch (adw_combo_row_get_selected (self->kind_row))
    {
    case 1:
      return TESSERA_COMPARISON_DENOISE;
    case 2:
      return TESSERA_COMPARISON_SEEDS;
    case 3:
      return TESSERA_COMPARISON_CHECKPOINTS;
    default:
      return TESSERA_COMPARISON_UPSCALERS;
    }
}

void
tessera_comparison_panel_set_kind (TesseraComparisonPanel *self,
                                   TesseraComparisonKind   kind)
{
  g_return_if_fail (TESSERA_IS_COMPARISON_PANEL (self));

  switch (kind)
    {
    case TESSERA_COMPARISON_UPSCALERS:
      adw_combo_row_set_selected (self->kind_row, 0);
      break;
    case TESSERA_COMPARISON_DENOISE:
      adw_combo_row_set_selected (self->kind_row, 1);
      break;
    case TESSERA_COMPARISON_SEEDS:
      adw_combo_row_set_selected (self->kind_row, 2);
      break;
    case TESSERA_COMPARISON_CHECKPOINTS:
      adw_combo_row_set_selected (self->kind_row, 3);
      break;
    }
}

/**
 * tessera_comparison_panel_set_redraw_current:
 * @denoise: the Redraw panel's denoising strength
 * @seed: its seed (a random one: any)
 * @checkpoint: (nullable): its checkpoint
 *
 * Starts the value rows at the redraw's settings: its strength and
 * strengths around it, its seed first then the next ones, its checkpoint
 * first then the others.
 */
void
tessera_comparison_panel_set_redraw_current (TesseraComparisonPanel *self,
                                             double                  denoise,
                                             gint64                  seed,
                                             TesseraCheckpoint      *checkpoint)
{
  TesseraComparisonKind kind;
  guint current = 0, n_checkpoints;
  GListModel *checkpoints;

  g_return_if_fail (TESSERA_IS_COMPARISON_PANEL (self));

  kind = tessera_comparison_panel_get_kind (self);
  checkpoints = gtk_drop_down_get_model (self->checkpoint_dropdowns[0]);
  n_checkpoints = checkpoints != NULL ? g_list_model_get_n_items (checkpoints) : 0;
  for (guint i = 0; i < n_checkpoints; i++)
    {
      g_autoptr(TesseraCheckpoint) item = g_list_model_get_item (checkpoints, i);

      if (item == checkpoint)
        current = i;
    }
  if (seed < 0)
    seed = g_random_int ();

  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS; row++)
    {
      if (kind == TESSERA_COMPARISON_DENOISE)
        gtk_spin_button_set_value (self->value_spins[row], CLAMP (denoise - 0.15 * row, 0.05, 1.0));
      else if (kind == TESSERA_COMPARISON_SEEDS)
        gtk_spin_button_set_value (self->value_spins[row], (double) ((seed + row) % ((gint64) G_MAXUINT32 + 1)));
      if (n_checkpoints > 0)
        gtk_drop_down_set_selected (self->checkpoint_dropdowns[row], (current + row) % n_checkpoints);
    }
}

/* How many values the rows compare. */
guint
tessera_comparison_panel_get_n_values (TesseraComparisonPanel *self)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_PANEL (self), 0);

  return gtk_spin_button_get_value_as_int (self->count_spin);
}

void
tessera_comparison_panel_set_n_values (TesseraComparisonPanel *self,
                                       guint                   n)
{
  g_return_if_fail (TESSERA_IS_COMPARISON_PANEL (self));

  gtk_spin_button_set_value (self->count_spin, n);
}

/* Row @index's denoising strength or seed. */
double
tessera_comparison_panel_get_value (TesseraComparisonPanel *self,
                                    guint                   index)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_PANEL (self), 0.0);
  g_return_val_if_fail (index < TESSERA_COMPARISON_MAX_RESULTS, 0.0);

  return gtk_spin_button_get_value (self->value_spins[index]);
}

void
tessera_comparison_panel_set_value (TesseraComparisonPanel *self,
                                    guint                   index,
                                    double                  value)
{
  g_return_if_fail (TESSERA_IS_COMPARISON_PANEL (self));
  g_return_if_fail (index < TESSERA_COMPARISON_MAX_RESULTS);

  gtk_spin_button_set_value (self->value_spins[index], value);
}

/**
 * tessera_comparison_panel_get_checkpoint:
 *
 * Returns: (transfer none) (nullable): row @index's checkpoint
 */
TesseraCheckpoint *
tessera_comparison_panel_get_checkpoint (TesseraComparisonPanel *self,
                                         guint                   index)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_PANEL (self), NULL);
  g_return_val_if_fail (index < TESSERA_COMPARISON_MAX_RESULTS, NULL);

  return gtk_drop_down_get_selected_item (self->checkpoint_dropdowns[index]);
}
