/* tessera-upscale-panel.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-upscale-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-upscale-panel.h"

/* The column on the right of the window: which upscaler, to what size,
 * with how much denoise and in which tiles, where it runs, and the
 * Upscale, Compare and Cancel buttons (the window's actions). It keeps
 * its choices in the settings and hands them to the window as engine
 * options; with the tile overlay on, it works out the plan the engine
 * would run for the image, as :tile-plan.
 *
 * Other panels go at the top of the column, above the upscaler: a
 * <child> of the panel in a .ui is put there (the window puts the
 * comparison's choices there). */

struct _TesseraUpscalePanel
{
  AdwBin               parent_instance;

  GtkBox              *column;
  GtkWidget           *last_added;     /* the last child put at the top */
  AdwComboRow         *upscaler_row;
  AdwComboRow         *then_row;
  GtkStringList       *then_titles;
  AdwComboRow         *scale_row;
  AdwActionRow        *target_row;
  GtkSpinButton       *target_spin;
  AdwActionRow        *denoise_row;
  GtkScale            *denoise_scale;
  AdwActionRow        *show_tiles_row;
  GtkSpinButton       *tile_spin;
  GtkSpinButton       *overlap_spin;
  AdwActionRow        *device_row;
  GtkProgressBar      *progress_bar;

  TesseraEngine       *engine;
  TesseraModelLibrary *library;
  GSettings           *settings;       /* NULL when the schema is not installed */
  TesseraImage        *image;          /* what the tile plan is for */
  TesseraTilePlan     *tile_plan;
  GCancellable        *planning;       /* the tile plan being worked out */
  guint                tile_size;
  gboolean             show_tiles;
  GPtrArray           *then_names;     /* the then row's models, after “Nothing” */
  char                *then_upscaler;  /* NULL for none; kept while not offered */
  gboolean             selecting_then;
  gboolean             tta;
  gboolean             comparing;
  gboolean             busy;
};

static void tessera_upscale_panel_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TesseraUpscalePanel, tessera_upscale_panel, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE, tessera_upscale_panel_buildable_init))

static GtkBuildableIface *parent_buildable_iface;

enum {
  PROP_0,
  PROP_UPSCALER,
  PROP_THEN_UPSCALER,
  PROP_TTA,
  PROP_SHOW_TILES,
  PROP_TILE_SIZE,
  PROP_TILE_PLAN,
  PROP_COMPARING,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The scale row's choices; after them, to a width, to a height and 1×
 * (the model run, the result brought back to the image's size: a
 * restoration with an upscaler), last so that saved choices keep their
 * place. */
static const double scales[] = { 0.0, 2.0, 3.0, 4.0, 8.0 };
enum { SCALE_TO_WIDTH = G_N_ELEMENTS (scales), SCALE_TO_HEIGHT, SCALE_RESTORE };

/* A row of the upscaler list: the title, and below it the model's
 * architecture and scale, or that it is a classic filter. The first row
 * of each kind has a heading above it, which GTK 4.8's lists cannot do. */

#define TESSERA_TYPE_UPSCALER_ROW (tessera_upscaler_row_get_type ())

G_DECLARE_FINAL_TYPE (TesseraUpscalerRow, tessera_upscaler_row, TESSERA, UPSCALER_ROW, GtkBox)

struct _TesseraUpscalerRow
{
  GtkBox    parent_instance;

  GtkLabel *heading;
  GtkLabel *title;
  GtkLabel *subtitle;
};

G_DEFINE_FINAL_TYPE (TesseraUpscalerRow, tessera_upscaler_row, GTK_TYPE_BOX)

static void
tessera_upscaler_row_class_init (TesseraUpscalerRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-upscaler-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalerRow, heading);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalerRow, title);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalerRow, subtitle);
}

static void
tessera_upscaler_row_init (TesseraUpscalerRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* The panel. */

static TesseraUpscalerInfo *
selected_upscaler (TesseraUpscalePanel *self)
{
  return adw_combo_row_get_selected_item (self->upscaler_row);
}

static TesseraModel *
find_model (TesseraUpscalePanel *self,
            const char          *name)
{
  return self->library != NULL ? tessera_model_library_find (self->library, name) : NULL;
}

/**
 * tessera_upscale_panel_describe_upscaler:
 *
 * Returns: (transfer full): @info's model's architecture and scale, or
 *   that it is a classic filter, as the upscaler list says it
 */
char *
tessera_upscale_panel_describe_upscaler (TesseraUpscalePanel *self,
                                         TesseraUpscalerInfo *info)
{
  g_autoptr(TesseraModel) model = NULL;

  g_return_val_if_fail (TESSERA_IS_UPSCALE_PANEL (self), NULL);
  g_return_val_if_fail (TESSERA_IS_UPSCALER_INFO (info), NULL);

  model = find_model (self, tessera_upscaler_info_get_name (info));
  if (model != NULL)
    return g_strdup_printf (_("%s, ×%u"), tessera_arch_get_title (tessera_model_get_arch (model)),
                            tessera_model_get_scale (model));
  return g_strdup (_("Classic filter"));
}

static void
tessera_upscale_panel_setup_upscaler_cb (GtkSignalListItemFactory *factory,
                                         GtkListItem              *item,
                                         TesseraUpscalePanel      *self)
{
  gtk_list_item_set_child (item, g_object_new (TESSERA_TYPE_UPSCALER_ROW, NULL));
}

static void
tessera_upscale_panel_bind_upscaler_cb (GtkSignalListItemFactory *factory,
                                        GtkListItem              *item,
                                        TesseraUpscalePanel      *self)
{
  TesseraUpscalerRow *row = TESSERA_UPSCALER_ROW (gtk_list_item_get_child (item));
  TesseraUpscalerInfo *info = gtk_list_item_get_item (item);
  guint position = gtk_list_item_get_position (item);
  TesseraUpscalerKind kind = tessera_upscaler_info_get_kind (info);
  g_autoptr(TesseraUpscalerInfo) previous = NULL;
  g_autofree char *description = tessera_upscale_panel_describe_upscaler (self, info);

  if (position > 0)
    previous = g_list_model_get_item (tessera_engine_get_upscalers (self->engine), position - 1);
  gtk_widget_set_visible (GTK_WIDGET (row->heading),
                          previous == NULL || tessera_upscaler_info_get_kind (previous) != kind);
  gtk_label_set_label (row->heading, kind == TESSERA_UPSCALER_KIND_MODEL ? _("Models") : _("Classic Filters"));
  gtk_label_set_label (row->title, tessera_upscaler_info_get_title (info));
  gtk_label_set_label (row->subtitle, description);
}

/* The first model, else the sharpest classic filter. */
static void
select_default_upscaler (TesseraUpscalePanel *self)
{
  GListModel *upscalers = tessera_engine_get_upscalers (self->engine);

  for (guint i = 0; i < g_list_model_get_n_items (upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (upscalers, i);

      if (tessera_upscaler_info_get_kind (info) == TESSERA_UPSCALER_KIND_MODEL)
        {
          adw_combo_row_set_selected (self->upscaler_row, i);
          return;
        }
    }
  tessera_upscale_panel_set_upscaler (self, "lanczos");
}

/* Only models with noise levels beside them can denoise; the slider
 * says why not in its tooltip. A model with a few levels gets marks at
 * the settings that pick them; the engine picks the level of a setting
 * between. */
static void
show_denoise (TesseraUpscalePanel *self,
              TesseraModel        *model)
{
  g_autoptr(GError) error = NULL;
  gboolean denoise = model != NULL && tessera_model_can_denoise (model, &error);
  g_autofree double *levels = NULL;
  guint n_levels = 0;

  gtk_scale_clear_marks (self->denoise_scale);
  if (denoise)
    levels = tessera_model_get_denoise_levels (model, &n_levels);
  for (guint i = 0; i < n_levels; i++)
    gtk_scale_add_mark (self->denoise_scale, levels[i], GTK_POS_BOTTOM, NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self->denoise_row), denoise);
  if (denoise)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->denoise_row), NULL);
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->denoise_row),
                                 error != NULL ? error->message : _("Classic filters do not denoise"));
}

/* The scale a model, or a chain of them, upscales by in one pass;
 * classic filters have none, and get ×4. */
static double
native_scale (TesseraUpscalePanel *self,
              const char          *name)
{
  g_auto(GStrv) parts = g_strsplit (name, "+", -1);
  double scale = 1.0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(TesseraModel) model = find_model (self, parts[i]);

      if (model == NULL)
        return 4.0;
      scale *= tessera_model_get_scale (model);
    }
  return scale;
}

/* The then row's position of @name; 0, “Nothing”, when it is not offered. */
static guint
then_position (TesseraUpscalePanel *self,
               const char          *name)
{
  for (guint i = 0; name != NULL && self->then_names != NULL && i < self->then_names->len; i++)
    if (g_str_equal (g_ptr_array_index (self->then_names, i), name))
      return i + 1;
  return 0;
}

/* The upscaler chosen with the then row's model after it, as a chain
 * “A+B”; classic filters are not chained. */
static char *
chosen_chain (TesseraUpscalePanel *self)
{
  TesseraUpscalerInfo *info = selected_upscaler (self);

  if (info == NULL)
    return NULL;
  if (then_position (self, self->then_upscaler) == 0 ||
      tessera_upscaler_info_get_kind (info) != TESSERA_UPSCALER_KIND_MODEL)
    return g_strdup (tessera_upscaler_info_get_name (info));
  return g_strconcat (tessera_upscaler_info_get_name (info), "+", self->then_upscaler, NULL);
}

/**
 * tessera_upscale_panel_get_options:
 * @upscaler: (nullable): the upscaler to run; %NULL for the one chosen
 *
 * Returns: (transfer full) (nullable): the panel's choices as engine
 *   options, or %NULL when no upscaler is chosen
 */
TesseraUpscaleOptions *
tessera_upscale_panel_get_options (TesseraUpscalePanel *self,
                                   const char          *upscaler)
{
  TesseraUpscaleOptions *options;
  g_autofree char *chain = NULL;
  guint scale_index;
  guint target;

  g_return_val_if_fail (TESSERA_IS_UPSCALE_PANEL (self), NULL);

  /* Compared upscalers run alone; the chosen one with its chain. */
  if (upscaler == NULL)
    upscaler = chain = chosen_chain (self);
  if (upscaler == NULL)
    return NULL;

  options = tessera_upscale_options_new ();
  scale_index = adw_combo_row_get_selected (self->scale_row);
  target = gtk_spin_button_get_value_as_int (self->target_spin);
  tessera_upscale_options_set_upscaler (options, upscaler);
  if (scale_index == SCALE_TO_WIDTH)
    tessera_upscale_options_set_width (options, target);
  else if (scale_index == SCALE_TO_HEIGHT)
    tessera_upscale_options_set_height (options, target);
  else if (scale_index == SCALE_RESTORE)
    tessera_upscale_options_set_scale (options, 1.0);
  else
    tessera_upscale_options_set_scale (options, scale_index < G_N_ELEMENTS (scales) && scales[scale_index] > 0
                                                 ? scales[scale_index]
                                                 : native_scale (self, upscaler));
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->denoise_row)))
    tessera_upscale_options_set_denoise (options, gtk_range_get_value (GTK_RANGE (self->denoise_scale)));
  tessera_upscale_options_set_tile_size (options, self->tile_size);
  tessera_upscale_options_set_tile_overlap (options, gtk_spin_button_get_value_as_int (self->overlap_spin));
  tessera_upscale_options_set_tta (options, self->tta);

  if (self->settings != NULL)
    {
      g_autofree char *device = g_settings_get_string (self->settings, "device");
      g_autofree char *precision = g_settings_get_string (self->settings, "precision");

      tessera_upscale_options_set_device (options, device);
      /* Automatic is fp16: every GPU the CUDA backend runs on has tensor cores. */
      tessera_upscale_options_set_precision (options, g_str_equal (precision, "fp32") ? TESSERA_PRECISION_FP32
                                                                                        : TESSERA_PRECISION_FP16);
      tessera_upscale_options_set_gpu_memory (options, (guint) g_settings_get_double (self->settings, "gpu-memory"));
    }
  return options;
}

/* The tile plan. */

/* Notified each time the plan is worked out again or cleared, even to
 * the same: the view may show a run's own plan meanwhile. */
static void
set_tile_plan (TesseraUpscalePanel *self,
               TesseraTilePlan     *plan,
               const char          *summary)
{
  g_set_object (&self->tile_plan, plan);
  adw_action_row_set_subtitle (self->show_tiles_row, summary);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TILE_PLAN]);
}

typedef struct
{
  TesseraUpscaleOptions *options;
  guint                  width;
  guint                  height;
  gboolean               has_alpha;
} PlanRequest;

static void
plan_request_free (PlanRequest *request)
{
  g_object_unref (request->options);
  g_free (request);
}

static void
plan_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PlanRequest *request = task_data;
  g_autoptr(GError) error = NULL;
  TesseraTilePlan *plan = tessera_engine_plan_tiles (TESSERA_ENGINE (source), request->width, request->height,
                                                     request->has_alpha, request->options, &error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, plan, plan != NULL ? g_object_unref : NULL);
}

static void
tessera_upscale_panel_planned_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(TesseraUpscalePanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraTilePlan) plan = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  /* A newer request, or the switch turned off, since. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  g_clear_object (&self->planning);

  if (error != NULL)
    text = g_strdup (error->message);
  else if (plan == NULL)
    text = g_strdup (_("Classic filters run in one piece"));
  else
    text = g_strdup_printf (ngettext ("%u tile of %u pixels", "%u tiles of %u pixels",
                                      tessera_tile_plan_get_n_tiles (plan)),
                            tessera_tile_plan_get_n_tiles (plan), tessera_tile_plan_get_tile_size (plan));
  set_tile_plan (self, plan, text);
}

/* The overlay shows the plan the engine would run, worked out again
 * whenever a choice it depends on changes; the model is loaded for it in
 * a thread. */
static void
update_tile_plan (TesseraUpscalePanel *self)
{
  g_autoptr(GTask) task = NULL;
  PlanRequest *request;

  if (self->engine == NULL)
    return;
  if (self->planning != NULL)
    g_cancellable_cancel (self->planning);
  g_clear_object (&self->planning);

  if (!self->show_tiles || self->image == NULL || selected_upscaler (self) == NULL)
    {
      set_tile_plan (self, NULL, "");
      return;
    }

  /* An upscale shows its own plans; this one is worked out after it. */
  if (self->busy)
    return;

  request = g_new0 (PlanRequest, 1);
  request->options = tessera_upscale_panel_get_options (self, NULL);
  request->width = tessera_image_get_width (self->image);
  request->height = tessera_image_get_height (self->image);
  request->has_alpha = tessera_image_get_has_alpha (self->image);

  self->planning = g_cancellable_new ();
  task = g_task_new (self->engine, self->planning, tessera_upscale_panel_planned_cb, g_object_ref (self));
  g_task_set_task_data (task, request, (GDestroyNotify) plan_request_free);
  g_task_run_in_thread (task, plan_in_thread);
}

/* The choices' own reactions. */

static void
tessera_upscale_panel_upscaler_selected_cb (TesseraUpscalePanel *self)
{
  TesseraUpscalerInfo *info = selected_upscaler (self);
  g_autoptr(TesseraModel) model = info != NULL ? find_model (self, tessera_upscaler_info_get_name (info)) : NULL;

  show_denoise (self, model);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->upscaler_row),
                               info != NULL ? tessera_upscaler_info_get_description (info) : NULL);
  /* Classic filters are not chained. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->then_row),
                            info != NULL && tessera_upscaler_info_get_kind (info) == TESSERA_UPSCALER_KIND_MODEL);
  update_tile_plan (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPSCALER]);
}

/* Shows @name in the then row without choosing anything. */
static void
select_then (TesseraUpscalePanel *self,
             const char          *name)
{
  self->selecting_then = TRUE;
  adw_combo_row_set_selected (self->then_row, then_position (self, name));
  self->selecting_then = FALSE;
}

static void
set_then_upscaler (TesseraUpscalePanel *self,
                   const char          *name)
{
  if (g_strcmp0 (self->then_upscaler, name) == 0)
    return;
  g_free (self->then_upscaler);
  self->then_upscaler = g_strdup (name);
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "then-upscaler", name != NULL ? name : "");
  update_tile_plan (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THEN_UPSCALER]);
}

static void
tessera_upscale_panel_then_selected_cb (TesseraUpscalePanel *self)
{
  guint selected = adw_combo_row_get_selected (self->then_row);

  if (self->selecting_then || self->then_names == NULL)
    return;
  set_then_upscaler (self, selected > 0 && selected <= self->then_names->len
                           ? g_ptr_array_index (self->then_names, selected - 1)
                           : NULL);
}

/* The then row offers every model, as the upscaler list has them. */
static void
fill_then_row (TesseraUpscalePanel *self)
{
  GListModel *upscalers = tessera_engine_get_upscalers (self->engine);
  g_autoptr(GPtrArray) titles = g_ptr_array_new ();

  g_clear_pointer (&self->then_names, g_ptr_array_unref);
  self->then_names = g_ptr_array_new_with_free_func (g_free);
  /* TRANSLATORS: no second model after the upscaler */
  g_ptr_array_add (titles, (gpointer) _("Nothing"));
  for (guint i = 0; i < g_list_model_get_n_items (upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (upscalers, i);

      if (tessera_upscaler_info_get_kind (info) != TESSERA_UPSCALER_KIND_MODEL)
        continue;
      g_ptr_array_add (self->then_names, g_strdup (tessera_upscaler_info_get_name (info)));
      g_ptr_array_add (titles, (gpointer) tessera_upscaler_info_get_title (info));
    }
  g_ptr_array_add (titles, NULL);
  self->selecting_then = TRUE;
  gtk_string_list_splice (self->then_titles, 0, g_list_model_get_n_items (G_LIST_MODEL (self->then_titles)),
                          (const char * const *) titles->pdata);
  self->selecting_then = FALSE;
  select_then (self, self->then_upscaler);
}

static void
tessera_upscale_panel_scale_selected_cb (TesseraUpscalePanel *self)
{
  guint scale_index = adw_combo_row_get_selected (self->scale_row);

  gtk_widget_set_visible (GTK_WIDGET (self->target_row),
                          scale_index == SCALE_TO_WIDTH || scale_index == SCALE_TO_HEIGHT);
  update_tile_plan (self);
}

static void
tessera_upscale_panel_choice_changed_cb (TesseraUpscalePanel *self)
{
  update_tile_plan (self);
}

/* Where the models run. */

static void
check_device (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_autofree char *description = NULL;
  g_autoptr(GError) error = NULL;

  if (tessera_engine_check_device (TESSERA_ENGINE (source), task_data, &description, &error))
    g_task_return_pointer (task, g_steal_pointer (&description), g_free);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
tessera_upscale_panel_device_checked_cb (GObject      *source,
                                         GAsyncResult *result,
                                         gpointer      user_data)
{
  g_autoptr(TesseraUpscalePanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = g_task_propagate_pointer (G_TASK (result), &error);

  adw_action_row_set_subtitle (self->device_row, description != NULL ? description : error->message);
}

/* Says in the panel where the models will run, found off the main
 * thread: making a CUDA context takes a moment. */
static void
show_device (TesseraUpscalePanel *self)
{
  g_autoptr(GTask) task = g_task_new (self->engine, NULL, tessera_upscale_panel_device_checked_cb,
                                      g_object_ref (self));
  char *device = self->settings != NULL ? g_settings_get_string (self->settings, "device") : g_strdup ("auto");

  g_task_set_task_data (task, device, g_free);
  g_task_run_in_thread (task, check_device);
}

/* Children from a .ui go at the top of the column, in their order; those
 * of type "end", at its end. */
static void
tessera_upscale_panel_add_child (GtkBuildable *buildable,
                                 GtkBuilder   *builder,
                                 GObject      *child,
                                 const char   *type)
{
  TesseraUpscalePanel *self = TESSERA_UPSCALE_PANEL (buildable);

  if (self->column == NULL || !GTK_IS_WIDGET (child))
    {
      parent_buildable_iface->add_child (buildable, builder, child, type);
      return;
    }
  if (g_strcmp0 (type, "end") == 0)
    {
      gtk_box_append (self->column, GTK_WIDGET (child));
      return;
    }
  gtk_box_insert_child_after (self->column, GTK_WIDGET (child), self->last_added);
  self->last_added = GTK_WIDGET (child);
}

static void
tessera_upscale_panel_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = tessera_upscale_panel_add_child;
}

static void
tessera_upscale_panel_dispose (GObject *object)
{
  TesseraUpscalePanel *self = TESSERA_UPSCALE_PANEL (object);

  if (self->planning != NULL)
    g_cancellable_cancel (self->planning);
  g_clear_object (&self->planning);
  g_clear_object (&self->tile_plan);
  g_clear_object (&self->image);
  g_clear_object (&self->engine);
  g_clear_object (&self->library);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->then_names, g_ptr_array_unref);
  g_clear_pointer (&self->then_upscaler, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_UPSCALE_PANEL);

  G_OBJECT_CLASS (tessera_upscale_panel_parent_class)->dispose (object);
}

static void
tessera_upscale_panel_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TesseraUpscalePanel *self = TESSERA_UPSCALE_PANEL (object);

  switch (prop_id)
    {
    case PROP_UPSCALER:
      g_value_set_string (value, tessera_upscale_panel_get_upscaler (self));
      break;
    case PROP_THEN_UPSCALER:
      g_value_set_string (value, self->then_upscaler);
      break;
    case PROP_TTA:
      g_value_set_boolean (value, self->tta);
      break;
    case PROP_SHOW_TILES:
      g_value_set_boolean (value, self->show_tiles);
      break;
    case PROP_TILE_SIZE:
      g_value_set_uint (value, self->tile_size);
      break;
    case PROP_TILE_PLAN:
      g_value_set_object (value, self->tile_plan);
      break;
    case PROP_COMPARING:
      g_value_set_boolean (value, self->comparing);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_upscale_panel_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  TesseraUpscalePanel *self = TESSERA_UPSCALE_PANEL (object);

  switch (prop_id)
    {
    case PROP_UPSCALER:
      tessera_upscale_panel_set_upscaler (self, g_value_get_string (value));
      break;
    case PROP_THEN_UPSCALER:
      set_then_upscaler (self, g_value_get_string (value));
      select_then (self, self->then_upscaler);
      break;
    case PROP_TTA:
      if (self->tta != g_value_get_boolean (value))
        {
          self->tta = g_value_get_boolean (value);
          update_tile_plan (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_SHOW_TILES:
      if (self->show_tiles != g_value_get_boolean (value))
        {
          self->show_tiles = g_value_get_boolean (value);
          update_tile_plan (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_TILE_SIZE:
      if (self->tile_size != g_value_get_uint (value))
        {
          self->tile_size = g_value_get_uint (value);
          update_tile_plan (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_COMPARING:
      if (self->comparing != g_value_get_boolean (value))
        {
          self->comparing = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_upscale_panel_class_init (TesseraUpscalePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_upscale_panel_dispose;
  object_class->get_property = tessera_upscale_panel_get_property;
  object_class->set_property = tessera_upscale_panel_set_property;

  /* The name of the upscaler chosen. */
  properties[PROP_UPSCALER] =
    g_param_spec_string ("upscaler", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* The model run on the upscaler's result, or %NULL. */
  properties[PROP_THEN_UPSCALER] =
    g_param_spec_string ("then-upscaler", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TTA] =
    g_param_spec_boolean ("tta", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SHOW_TILES] =
    g_param_spec_boolean ("show-tiles", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TILE_SIZE] =
    g_param_spec_uint ("tile-size", NULL, NULL, 0, 8192, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* The plan the engine would run for the image; %NULL without the
   * overlay. */
  properties[PROP_TILE_PLAN] =
    g_param_spec_object ("tile-plan", NULL, NULL, TESSERA_TYPE_TILE_PLAN,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Whether the upscalers are those compared: no choice of one, and
   * Compare instead of Upscale. */
  properties[PROP_COMPARING] =
    g_param_spec_boolean ("comparing", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Whether an upscale runs: the progress and Cancel show. */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TESSERA_TYPE_UPSCALER_INFO);
  g_type_ensure (TESSERA_TYPE_UPSCALER_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-upscale-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, column);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, upscaler_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, then_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, then_titles);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, scale_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, target_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, target_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, denoise_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, denoise_scale);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, show_tiles_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, tile_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, overlap_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, device_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraUpscalePanel, progress_bar);
  gtk_widget_class_bind_template_callback (widget_class, tessera_upscale_panel_setup_upscaler_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_upscale_panel_bind_upscaler_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_upscale_panel_upscaler_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_upscale_panel_then_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_upscale_panel_scale_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_upscale_panel_choice_changed_cb);
}

static void
tessera_upscale_panel_init (TesseraUpscalePanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * tessera_upscale_panel_setup:
 * @engine: whose upscalers the panel lists
 * @library: where their models are found
 * @settings: (nullable): where the choices are kept
 *
 * Fills the panel in; once, before it is used.
 */
void
tessera_upscale_panel_setup (TesseraUpscalePanel *self,
                             TesseraEngine       *engine,
                             TesseraModelLibrary *library,
                             GSettings           *settings)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_PANEL (self));
  g_return_if_fail (TESSERA_IS_ENGINE (engine));
  g_return_if_fail (TESSERA_IS_MODEL_LIBRARY (library));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  self->library = g_object_ref (library);
  adw_combo_row_set_model (self->upscaler_row, tessera_engine_get_upscalers (engine));
  select_default_upscaler (self);
  tessera_upscale_panel_upscaler_selected_cb (self);
  tessera_upscale_panel_scale_selected_cb (self);
  fill_then_row (self);
  g_signal_connect_object (tessera_engine_get_upscalers (engine), "items-changed", G_CALLBACK (fill_then_row), self,
                           G_CONNECT_SWAPPED);

  if (settings != NULL)
    {
      g_autofree char *upscaler = g_settings_get_string (settings, "upscaler");

      self->settings = g_object_ref (settings);
      /* An upscaler that has gone since leaves the default. */
      tessera_upscale_panel_set_upscaler (self, upscaler);
      g_settings_bind (settings, "upscaler", self, "upscaler", G_SETTINGS_BIND_SET);
      {
        g_autofree char *then = g_settings_get_string (settings, "then-upscaler");

        /* Kept while the library is still being searched. */
        g_free (self->then_upscaler);
        self->then_upscaler = *then != '\0' ? g_steal_pointer (&then) : NULL;
        select_then (self, self->then_upscaler);
      }
      g_settings_bind (settings, "tta", self, "tta", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "scale", self->scale_row, "selected", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "target-size", gtk_spin_button_get_adjustment (self->target_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "denoise", gtk_range_get_adjustment (GTK_RANGE (self->denoise_scale)), "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "tile-size", gtk_spin_button_get_adjustment (self->tile_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "tile-overlap", gtk_spin_button_get_adjustment (self->overlap_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_signal_connect_object (settings, "changed::device", G_CALLBACK (show_device), self, G_CONNECT_SWAPPED);
    }
  show_device (self);
}

/**
 * tessera_upscale_panel_get_upscaler:
 *
 * Returns: (nullable): the name of the upscaler chosen
 */
const char *
tessera_upscale_panel_get_upscaler (TesseraUpscalePanel *self)
{
  TesseraUpscalerInfo *info;

  g_return_val_if_fail (TESSERA_IS_UPSCALE_PANEL (self), NULL);

  info = selected_upscaler (self);
  return info != NULL ? tessera_upscaler_info_get_name (info) : NULL;
}

/* Chooses @upscaler if it is offered. */
void
tessera_upscale_panel_set_upscaler (TesseraUpscalePanel *self,
                                    const char          *upscaler)
{
  GListModel *upscalers;

  g_return_if_fail (TESSERA_IS_UPSCALE_PANEL (self));

  if (self->engine == NULL || upscaler == NULL)
    return;
  upscalers = tessera_engine_get_upscalers (self->engine);
  for (guint i = 0; i < g_list_model_get_n_items (upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (upscalers, i);

      if (g_str_equal (tessera_upscaler_info_get_name (info), upscaler))
        {
          adw_combo_row_set_selected (self->upscaler_row, i);
          return;
        }
    }
}

gboolean
tessera_upscale_panel_get_show_tiles (TesseraUpscalePanel *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_PANEL (self), FALSE);

  return self->show_tiles;
}

/* The image the tile plan is worked out for. */
void
tessera_upscale_panel_set_image (TesseraUpscalePanel *self,
                                 TesseraImage        *image)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_PANEL (self));
  g_return_if_fail (image == NULL || TESSERA_IS_IMAGE (image));

  if (g_set_object (&self->image, image))
    update_tile_plan (self);
}

/**
 * tessera_upscale_panel_get_tile_plan:
 *
 * Returns: (transfer none) (nullable): the plan the engine would run for
 *   the image, when the overlay is on and it has been worked out
 */
TesseraTilePlan *
tessera_upscale_panel_get_tile_plan (TesseraUpscalePanel *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_PANEL (self), NULL);

  return self->tile_plan;
}

/* While an upscale runs, the progress and Cancel show; after it, the
 * tile plan is worked out again. */
void
tessera_upscale_panel_set_busy (TesseraUpscalePanel *self,
                                gboolean             busy)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_PANEL (self));

  busy = !!busy;
  if (self->busy == busy)
    return;
  self->busy = busy;
  if (busy)
    tessera_upscale_panel_set_progress (self, 0.0, _("Starting"));
  else
    update_tile_plan (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
tessera_upscale_panel_set_progress (TesseraUpscalePanel *self,
                                    double               fraction,
                                    const char          *text)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_PANEL (self));

  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  gtk_progress_bar_set_text (self->progress_bar, text);
}

/* Says what happens to the run, the bar staying where it is. */
void
tessera_upscale_panel_set_progress_text (TesseraUpscalePanel *self,
                                         const char          *text)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_PANEL (self));

  gtk_progress_bar_set_text (self->progress_bar, text);
}
