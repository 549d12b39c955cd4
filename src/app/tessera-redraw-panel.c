/* tessera-redraw-panel.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-redraw-panel"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tessera-redraw-panel.h"

/* The Redraw section of the side column: whether Upscale goes on to
 * redraw its result with a Stable Diffusion checkpoint, and how. Every
 * choice is a property of the panel's TesseraRedrawOptions, which the
 * widgets and the settings are bound to; the window copies the options
 * when it starts a redraw.
 *
 * An image that carries generation parameters (A1111's `parameters`)
 * shows them in a group of its own, with a button that takes them over. */
struct _TesseraRedrawPanel
{
  AdwBin                 parent_instance;

  /* From the template. */
  AdwExpanderRow        *redraw_row;
  AdwExpanderRow        *advanced_row;
  AdwComboRow           *checkpoint_row;
  GtkTextView           *prompt_view;
  GtkTextView           *negative_prompt_view;
  GtkScale              *denoise_scale;
  GtkSpinButton         *steps_spin;
  AdwComboRow           *sampler_row;
  AdwComboRow           *scheduler_row;
  GtkSpinButton         *cfg_spin;
  GtkSpinButton         *seed_spin;
  GtkWidget             *reuse_seed_button;
  AdwComboRow           *tiles_row;
  GtkWidget             *tile_width_row;
  GtkSpinButton         *tile_width_spin;
  GtkWidget             *tile_height_row;
  GtkSpinButton         *tile_height_spin;
  GtkWidget             *padding_row;
  GtkSpinButton         *padding_spin;
  GtkWidget             *mask_blur_row;
  GtkSpinButton         *mask_blur_spin;
  GtkWidget             *batch_size_row;
  GtkSpinButton         *batch_size_spin;
  AdwComboRow           *tile_order_row;
  AdwComboRow           *seams_fix_row;
  GtkWidget             *seams_fix_denoise_row;
  GtkScale              *seams_fix_denoise_scale;
  GtkWidget             *seams_fix_width_row;
  GtkSpinButton         *seams_fix_width_spin;
  GtkWidget             *seams_fix_mask_blur_row;
  GtkSpinButton         *seams_fix_mask_blur_spin;
  GtkWidget             *seams_fix_padding_row;
  GtkSpinButton         *seams_fix_padding_spin;
  AdwComboRow           *color_fix_row;
  GtkSpinButton         *clip_skip_spin;
  AdwActionRow          *vae_row;
  GtkWidget             *vae_clear_button;
  GtkWidget             *info_group;
  AdwActionRow          *info_prompt_row;
  AdwActionRow          *info_negative_prompt_row;
  AdwActionRow          *info_steps_row;
  AdwActionRow          *info_sampler_row;
  AdwActionRow          *info_cfg_row;
  AdwActionRow          *info_seed_row;
  AdwActionRow          *info_size_row;
  AdwActionRow          *info_model_row;
  AdwActionRow          *info_other_row;
  GtkWidget             *use_info_button;
  GtkWidget             *clear_info_button;

  TesseraRedrawOptions  *options;
  TesseraModelLibrary   *library;
  GSettings             *settings;        /* NULL when the schema is not installed */
  TesseraGenerationInfo *info;
  GCancellable          *matching;        /* the checkpoint of "Use These Settings" being looked for */
  guint                  restoring;       /* the idle that chooses the saved checkpoint again */
  gint64                 last_seed;       /* -1 before a redraw */
  gboolean               enabled;
};

G_DEFINE_FINAL_TYPE (TesseraRedrawPanel, tessera_redraw_panel, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ENABLED,
  PROP_OPTIONS,
  PROP_CHECKPOINT,
  PROP_GENERATION_INFO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The drop-downs list an enum's values in their order. */

static gboolean
enum_to_index (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  g_value_set_uint (to, g_value_get_enum (from));
  return TRUE;
}

static gboolean
index_to_enum (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  GEnumClass *enum_class = g_type_class_peek (G_VALUE_TYPE (to));
  guint index = g_value_get_uint (from);

  if (enum_class == NULL || g_enum_get_value (enum_class, index) == NULL)
    return FALSE;
  g_value_set_enum (to, index);
  return TRUE;
}

static void
bind_choice (TesseraRedrawPanel *self,
             const char         *property,
             AdwComboRow        *row)
{
  g_object_bind_property_full (self->options, property, row, "selected",
                               G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL,
                               enum_to_index, index_to_enum, NULL, NULL);
}

static void
bind_number (TesseraRedrawPanel *self,
             const char         *property,
             GtkWidget          *widget)
{
  GtkAdjustment *adjustment = GTK_IS_SPIN_BUTTON (widget) ? gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (widget))
                                                          : gtk_range_get_adjustment (GTK_RANGE (widget));

  g_object_bind_property (self->options, property, adjustment, "value",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
}

/* Checkpoints: their files' names, which tell a diffusers folder from a
 * single file of the same name. */
static char *
checkpoint_title (TesseraCheckpoint *checkpoint)
{
  return checkpoint != NULL ? g_file_get_basename (tessera_checkpoint_get_file (checkpoint)) : NULL;
}

static void
select_checkpoint_file (TesseraRedrawPanel *self,
                        const char         *path)
{
  GListModel *checkpoints = adw_combo_row_get_model (self->checkpoint_row);

  for (guint i = 0; path != NULL && *path != '\0' && i < g_list_model_get_n_items (checkpoints); i++)
    {
      g_autoptr(TesseraCheckpoint) checkpoint = g_list_model_get_item (checkpoints, i);
      g_autofree char *item_path = g_file_get_path (tessera_checkpoint_get_file (checkpoint));

      if (g_strcmp0 (item_path, path) == 0)
        {
          adw_combo_row_set_selected (self->checkpoint_row, i);
          return;
        }
    }
}

static gboolean
restore_checkpoint (gpointer user_data)
{
  TesseraRedrawPanel *self = user_data;
  GListModel *checkpoints = adw_combo_row_get_model (self->checkpoint_row);

  self->restoring = 0;
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->checkpoint_row),
                               g_list_model_get_n_items (checkpoints) == 0
                               ? _("None found: add the folder of your checkpoints in Preferences")
                               : NULL);
  if (self->settings != NULL)
    {
      g_autofree char *path = g_settings_get_string (self->settings, "redraw-checkpoint");

      select_checkpoint_file (self, path);
    }
  return G_SOURCE_REMOVE;
}

/* A rescan changes the list, and the drop-down chooses the first
 * checkpoint on its own: the saved one is chosen again once it has, and
 * what the drop-down chose meanwhile is not saved. */
static void
tessera_redraw_panel_checkpoints_changed_cb (TesseraRedrawPanel *self)
{
  if (self->restoring == 0)
    self->restoring = g_idle_add (restore_checkpoint, self);
}

static void
tessera_redraw_panel_checkpoint_selected_cb (TesseraRedrawPanel *self)
{
  TesseraCheckpoint *checkpoint = tessera_redraw_panel_get_checkpoint (self);

  if (self->settings != NULL && checkpoint != NULL && self->restoring == 0)
    {
      g_autofree char *path = g_file_get_path (tessera_checkpoint_get_file (checkpoint));

      g_settings_set_string (self->settings, "redraw-checkpoint", path != NULL ? path : "");
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKPOINT]);
}

/* The rows that mean something in the mode chosen. */
static void
update_rows (TesseraRedrawPanel *self)
{
  TesseraRedrawTiles tiles = tessera_redraw_options_get_tiles (self->options);
  gboolean usdu = tiles == TESSERA_REDRAW_TILES_USDU;
  gboolean seams_fix = usdu && tessera_redraw_options_get_seams_fix (self->options) != TESSERA_REDRAW_SEAMS_FIX_NONE;

  gtk_widget_set_visible (self->tile_width_row, tiles != TESSERA_REDRAW_TILES_NONE);
  gtk_widget_set_visible (self->tile_height_row, tiles != TESSERA_REDRAW_TILES_NONE);
  gtk_widget_set_visible (self->padding_row, usdu);
  gtk_widget_set_visible (self->mask_blur_row, usdu);
  gtk_widget_set_visible (self->batch_size_row, tiles == TESSERA_REDRAW_TILES_SD_UPSCALE);
  gtk_widget_set_visible (GTK_WIDGET (self->tile_order_row), usdu);
  gtk_widget_set_visible (GTK_WIDGET (self->seams_fix_row), usdu);
  gtk_widget_set_visible (self->seams_fix_denoise_row, seams_fix);
  gtk_widget_set_visible (self->seams_fix_width_row, seams_fix);
  gtk_widget_set_visible (self->seams_fix_mask_blur_row, seams_fix);
  gtk_widget_set_visible (self->seams_fix_padding_row, seams_fix);
}


/* The seed. */

static void
tessera_redraw_panel_random_seed_cb (TesseraRedrawPanel *self)
{
  tessera_redraw_options_set_seed (self->options, g_random_int ());
}

static void
tessera_redraw_panel_reuse_seed_cb (TesseraRedrawPanel *self)
{
  if (self->last_seed >= 0)
    tessera_redraw_options_set_seed (self->options, self->last_seed);
}

/* The VAE file. */

static void
tessera_redraw_panel_vae_changed_cb (TesseraRedrawPanel *self)
{
  GFile *vae = tessera_redraw_options_get_vae_file (self->options);
  g_autofree char *name = vae != NULL ? g_file_get_basename (vae) : NULL;

  adw_action_row_set_subtitle (self->vae_row, name != NULL ? name : _("The checkpoint’s own"));
  gtk_widget_set_visible (self->vae_clear_button, vae != NULL);
}

static void
tessera_redraw_panel_vae_chosen_cb (GtkNativeDialog    *dialog,
                                    int                 response,
                                    TesseraRedrawPanel *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      tessera_redraw_options_set_vae_file (self->options, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
tessera_redraw_panel_choose_vae_cb (TesseraRedrawPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Choose a VAE File"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("VAE files"));
  gtk_file_filter_add_suffix (filter, "safetensors");
  gtk_file_filter_add_suffix (filter, "pt");
  gtk_file_filter_add_suffix (filter, "ckpt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (tessera_redraw_panel_vae_chosen_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
tessera_redraw_panel_clear_vae_cb (TesseraRedrawPanel *self)
{
  tessera_redraw_options_set_vae_file (self->options, NULL);
}

static gboolean
get_vae_mapping (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  const char *path = g_variant_get_string (variant, NULL);

  g_value_take_object (value, *path != '\0' ? g_file_new_for_path (path) : NULL);
  return TRUE;
}

static GVariant *
set_vae_mapping (const GValue       *value,
                 const GVariantType *expected_type,
                 gpointer            user_data)
{
  GFile *file = g_value_get_object (value);
  g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

  return g_variant_new_string (path != NULL ? path : "");
}

/* Generation info. */

/* A1111's own keys, shown in rows of their own or not at all. */
static const char * const shown_keys[] = {
  "Steps", "Sampler", "Schedule type", "CFG scale", "Seed", "Size", "Model", "Model hash", NULL
};

static void
set_info_row (AdwActionRow *row,
              const char   *value)
{
  gtk_widget_set_visible (GTK_WIDGET (row), value != NULL && *value != '\0');
  adw_action_row_set_subtitle (row, value != NULL ? value : "");
}

static void
show_info (TesseraRedrawPanel *self)
{
  TesseraGenerationInfo *info = self->info;
  g_autofree char *steps = NULL;
  g_autofree char *sampler = NULL;
  g_autofree char *cfg = NULL;
  g_autofree char *seed = NULL;
  g_autofree char *size = NULL;
  g_autofree char *model = NULL;
  g_autoptr(GString) other = g_string_new (NULL);
  g_auto(GStrv) keys = NULL;
  const char *schedule, *hash;

  gtk_widget_set_visible (self->info_group, info != NULL);
  if (info == NULL)
    return;

  steps = g_strdup_printf ("%u", tessera_generation_info_get_steps (info));
  schedule = tessera_generation_info_get_schedule (info);
  sampler = schedule != NULL ? g_strdup_printf ("%s, %s", tessera_generation_info_get_sampler (info), schedule)
                             : g_strdup (tessera_generation_info_get_sampler (info));
  cfg = g_strdup_printf ("%g", tessera_generation_info_get_cfg (info));
  seed = g_strdup_printf ("%" G_GINT64_FORMAT, tessera_generation_info_get_seed (info));
  if (tessera_generation_info_get_width (info) > 0)
    size = g_strdup_printf ("%u × %u", tessera_generation_info_get_width (info),
                            tessera_generation_info_get_height (info));
  hash = tessera_generation_info_get_model_hash (info);
  if (tessera_generation_info_get_model (info) != NULL && hash != NULL)
    model = g_strdup_printf ("%s (%s)", tessera_generation_info_get_model (info), hash);
  else
    model = g_strdup (tessera_generation_info_get_model (info) != NULL ? tessera_generation_info_get_model (info)
                                                                       : hash);

  keys = tessera_generation_info_dup_keys (info);
  for (guint i = 0; keys[i] != NULL; i++)
    if (!g_strv_contains (shown_keys, keys[i]))
      g_string_append_printf (other, "%s%s: %s", other->len > 0 ? "\n" : "", keys[i],
                              tessera_generation_info_get_value (info, keys[i]));

  set_info_row (self->info_prompt_row, tessera_generation_info_get_prompt (info));
  set_info_row (self->info_negative_prompt_row, tessera_generation_info_get_negative_prompt (info));
  set_info_row (self->info_steps_row, tessera_generation_info_get_steps (info) > 0 ? steps : NULL);
  set_info_row (self->info_sampler_row, sampler);
  set_info_row (self->info_cfg_row, tessera_generation_info_get_cfg (info) > 0 ? cfg : NULL);
  set_info_row (self->info_seed_row, tessera_generation_info_get_seed (info) >= 0 ? seed : NULL);
  set_info_row (self->info_size_row, size);
  set_info_row (self->info_model_row, model);
  set_info_row (self->info_other_row, other->str);
}

/* A1111 wrote the schedule into the sampler's name before it had a
 * "Schedule type" ("DPM++ 2M Karras"). */
static void
use_sampler (TesseraRedrawPanel *self,
             const char         *sampler_name,
             const char         *schedule)
{
  static const struct { const char *suffix; TesseraRedrawScheduler scheduler; } suffixes[] = {
    { " Karras", TESSERA_REDRAW_SCHEDULER_KARRAS },
    { " Exponential", TESSERA_REDRAW_SCHEDULER_EXPONENTIAL },
  };
  g_autofree char *name = g_strdup (sampler_name);
  g_autofree char *lower = schedule != NULL ? g_ascii_strdown (schedule, -1) : NULL;
  TesseraRedrawSampler sampler;
  TesseraRedrawScheduler scheduler = TESSERA_REDRAW_SCHEDULER_NORMAL;

  if (name == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (name, suffixes[i].suffix))
      {
        name[strlen (name) - strlen (suffixes[i].suffix)] = '\0';
        scheduler = suffixes[i].scheduler;
      }
  if (lower != NULL && !tessera_redraw_scheduler_from_name (lower, &scheduler))
    scheduler = TESSERA_REDRAW_SCHEDULER_NORMAL;
  if (tessera_redraw_sampler_from_name (name, &sampler))
    tessera_redraw_options_set_sampler (self->options, sampler);
  tessera_redraw_options_set_scheduler (self->options, scheduler);
}

typedef struct
{
  GPtrArray *checkpoints;   /* TesseraCheckpoint */
  char      *hash;
  char      *model;
} Match;

static void
match_free (Match *match)
{
  g_ptr_array_unref (match->checkpoints);
  g_free (match->hash);
  g_free (match->model);
  g_free (match);
}

/* Hashing reads whole files, gigabytes each: off the main thread. A
 * checkpoint of the same name is taken when none has the hash. Only this
 * panel asks for the checkpoints' hashes, one search at a time. */
static void
match_checkpoint (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Match *match = task_data;
  int by_name = -1;

  for (guint i = 0; i < match->checkpoints->len; i++)
    {
      TesseraCheckpoint *checkpoint = g_ptr_array_index (match->checkpoints, i);
      const char *hash;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (by_name < 0 && g_strcmp0 (tessera_checkpoint_get_name (checkpoint), match->model) == 0)
        by_name = i;
      hash = match->hash != NULL ? tessera_checkpoint_get_short_hash (checkpoint) : NULL;
      if (hash != NULL && g_ascii_strcasecmp (hash, match->hash) == 0)
        {
          g_task_return_int (task, i);
          return;
        }
    }
  g_task_return_int (task, by_name);
}

static void
tessera_redraw_panel_matched_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(TesseraRedrawPanel) self = user_data;
  Match *match = g_task_get_task_data (G_TASK (result));
  gssize index = g_task_propagate_int (G_TASK (result), NULL);

  if (g_task_get_cancellable (G_TASK (result)) != self->matching)
    return;
  g_clear_object (&self->matching);
  if (index >= 0)
    tessera_redraw_panel_set_checkpoint (self, g_ptr_array_index (match->checkpoints, index));
}

static void
find_checkpoint (TesseraRedrawPanel *self)
{
  GListModel *checkpoints = adw_combo_row_get_model (self->checkpoint_row);
  g_autoptr(GTask) task = NULL;
  Match *match;

  if (self->matching != NULL)
    g_cancellable_cancel (self->matching);
  g_clear_object (&self->matching);
  if (checkpoints == NULL || (tessera_generation_info_get_model_hash (self->info) == NULL &&
                              tessera_generation_info_get_model (self->info) == NULL))
    return;

  match = g_new0 (Match, 1);
  match->checkpoints = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (checkpoints); i++)
    g_ptr_array_add (match->checkpoints, g_list_model_get_item (checkpoints, i));
  match->hash = g_strdup (tessera_generation_info_get_model_hash (self->info));
  match->model = g_strdup (tessera_generation_info_get_model (self->info));

  self->matching = g_cancellable_new ();
  task = g_task_new (NULL, self->matching, tessera_redraw_panel_matched_cb, g_object_ref (self));
  g_task_set_task_data (task, match, (GDestroyNotify) match_free);
  g_task_run_in_thread (task, match_checkpoint);
}

static void
tessera_redraw_panel_use_info_cb (TesseraRedrawPanel *self)
{
  TesseraGenerationInfo *info = self->info;

  if (info == NULL)
    return;
  tessera_redraw_options_set_prompt (self->options, tessera_generation_info_get_prompt (info));
  tessera_redraw_options_set_negative_prompt (self->options, tessera_generation_info_get_negative_prompt (info));
  use_sampler (self, tessera_generation_info_get_sampler (info), tessera_generation_info_get_schedule (info));
  if (tessera_generation_info_get_steps (info) > 0)
    tessera_redraw_options_set_steps (self->options, tessera_generation_info_get_steps (info));
  if (tessera_generation_info_get_cfg (info) > 0)
    tessera_redraw_options_set_cfg (self->options, tessera_generation_info_get_cfg (info));
  tessera_redraw_options_set_clip_skip (self->options, MAX (1, tessera_generation_info_get_clip_skip (info)));
  find_checkpoint (self);
}

static void
tessera_redraw_panel_clear_info_cb (TesseraRedrawPanel *self)
{
  tessera_redraw_panel_set_generation_info (self, NULL);
}

/* The widget. */

static void
tessera_redraw_panel_dispose (GObject *object)
{
  TesseraRedrawPanel *self = TESSERA_REDRAW_PANEL (object);

  if (self->matching != NULL)
    g_cancellable_cancel (self->matching);
  g_clear_object (&self->matching);
  g_clear_handle_id (&self->restoring, g_source_remove);
  g_clear_object (&self->info);
  g_clear_object (&self->library);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_REDRAW_PANEL);
  g_clear_object (&self->options);

  G_OBJECT_CLASS (tessera_redraw_panel_parent_class)->dispose (object);
}

static void
tessera_redraw_panel_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TesseraRedrawPanel *self = TESSERA_REDRAW_PANEL (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_OPTIONS:
      g_value_set_object (value, self->options);
      break;
    case PROP_CHECKPOINT:
      g_value_set_object (value, tessera_redraw_panel_get_checkpoint (self));
      break;
    case PROP_GENERATION_INFO:
      g_value_set_object (value, self->info);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_redraw_panel_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TesseraRedrawPanel *self = TESSERA_REDRAW_PANEL (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      tessera_redraw_panel_set_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_CHECKPOINT:
      tessera_redraw_panel_set_checkpoint (self, g_value_get_object (value));
      break;
    case PROP_GENERATION_INFO:
      tessera_redraw_panel_set_generation_info (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_redraw_panel_class_init (TesseraRedrawPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_redraw_panel_dispose;
  object_class->get_property = tessera_redraw_panel_get_property;
  object_class->set_property = tessera_redraw_panel_set_property;

  /* Whether Upscale goes on to redraw its result. */
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* The choices, which the panel owns: bound to its widgets and settings. */
  properties[PROP_OPTIONS] =
    g_param_spec_object ("options", NULL, NULL, TESSERA_TYPE_REDRAW_OPTIONS,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_CHECKPOINT] =
    g_param_spec_object ("checkpoint", NULL, NULL, TESSERA_TYPE_CHECKPOINT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* What the image shown was made with; %NULL hides the group. */
  properties[PROP_GENERATION_INFO] =
    g_param_spec_object ("generation-info", NULL, NULL, TESSERA_TYPE_GENERATION_INFO,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-redraw-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, redraw_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, checkpoint_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, prompt_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, negative_prompt_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, denoise_scale);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, steps_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, sampler_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, scheduler_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, cfg_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, reuse_seed_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, tiles_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, tile_width_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, tile_width_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, tile_height_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, tile_height_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, padding_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, padding_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, mask_blur_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, mask_blur_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, batch_size_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, batch_size_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, tile_order_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, seams_fix_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, seams_fix_denoise_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, seams_fix_denoise_scale);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, seams_fix_width_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, seams_fix_width_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, seams_fix_mask_blur_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, seams_fix_mask_blur_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, seams_fix_padding_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, seams_fix_padding_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, color_fix_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, clip_skip_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, vae_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, vae_clear_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, info_group);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, info_prompt_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, info_negative_prompt_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, info_steps_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, info_sampler_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, info_cfg_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, info_seed_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, info_size_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, info_model_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, info_other_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, use_info_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraRedrawPanel, clear_info_button);
  gtk_widget_class_bind_template_callback (widget_class, tessera_redraw_panel_random_seed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_redraw_panel_reuse_seed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_redraw_panel_choose_vae_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_redraw_panel_clear_vae_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_redraw_panel_use_info_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_redraw_panel_clear_info_cb);
}

/* The samplers by A1111's names for them. */
static GListModel *
list_samplers (void)
{
  GEnumClass *samplers = g_type_class_ref (TESSERA_TYPE_REDRAW_SAMPLER);
  GtkStringList *labels = gtk_string_list_new (NULL);

  for (guint i = 0; i < samplers->n_values; i++)
    gtk_string_list_append (labels, tessera_redraw_sampler_get_label (samplers->values[i].value));
  g_type_class_unref (samplers);
  return G_LIST_MODEL (labels);
}

static void
tessera_redraw_panel_init (TesseraRedrawPanel *self)
{
  g_autoptr(GListModel) samplers = list_samplers ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->last_seed = TESSERA_REDRAW_RANDOM_SEED;
  self->options = tessera_redraw_options_new ();
  adw_combo_row_set_model (self->sampler_row, samplers);
  adw_combo_row_set_expression (self->checkpoint_row,
                                gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                             G_CALLBACK (checkpoint_title), NULL, NULL));

  g_object_bind_property (self->options, "prompt", gtk_text_view_get_buffer (self->prompt_view), "text",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (self->options, "negative-prompt", gtk_text_view_get_buffer (self->negative_prompt_view),
                          "text", G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  bind_number (self, "denoise", GTK_WIDGET (self->denoise_scale));
  bind_number (self, "steps", GTK_WIDGET (self->steps_spin));
  bind_number (self, "cfg", GTK_WIDGET (self->cfg_spin));
  bind_number (self, "seed", GTK_WIDGET (self->seed_spin));
  bind_number (self, "tile-width", GTK_WIDGET (self->tile_width_spin));
  bind_number (self, "tile-height", GTK_WIDGET (self->tile_height_spin));
  bind_number (self, "padding", GTK_WIDGET (self->padding_spin));
  bind_number (self, "mask-blur", GTK_WIDGET (self->mask_blur_spin));
  bind_number (self, "batch-size", GTK_WIDGET (self->batch_size_spin));
  bind_number (self, "seams-fix-denoise", GTK_WIDGET (self->seams_fix_denoise_scale));
  bind_number (self, "seams-fix-width", GTK_WIDGET (self->seams_fix_width_spin));
  bind_number (self, "seams-fix-mask-blur", GTK_WIDGET (self->seams_fix_mask_blur_spin));
  bind_number (self, "seams-fix-padding", GTK_WIDGET (self->seams_fix_padding_spin));
  bind_number (self, "clip-skip", GTK_WIDGET (self->clip_skip_spin));
  bind_choice (self, "sampler", self->sampler_row);
  bind_choice (self, "scheduler", self->scheduler_row);
  bind_choice (self, "tiles", self->tiles_row);
  bind_choice (self, "tile-order", self->tile_order_row);
  bind_choice (self, "seams-fix", self->seams_fix_row);
  bind_choice (self, "color-fix", self->color_fix_row);
  g_signal_connect_object (self->options, "notify::vae-file", G_CALLBACK (tessera_redraw_panel_vae_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->options, "notify::tiles", G_CALLBACK (update_rows), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->options, "notify::seams-fix", G_CALLBACK (update_rows), self, G_CONNECT_SWAPPED);
  tessera_redraw_panel_vae_changed_cb (self);
  update_rows (self);
}

/* The settings' keys and the options' properties they keep. */
static const struct
{
  const char *key;
  const char *property;
} kept[] = {
  { "redraw-prompt", "prompt" },
  { "redraw-negative-prompt", "negative-prompt" },
  { "redraw-denoise", "denoise" },
  { "redraw-steps", "steps" },
  { "redraw-sampler", "sampler" },
  { "redraw-scheduler", "scheduler" },
  { "redraw-cfg", "cfg" },
  { "redraw-seed", "seed" },
  { "redraw-tiles", "tiles" },
  { "redraw-tile-width", "tile-width" },
  { "redraw-tile-height", "tile-height" },
  { "redraw-padding", "padding" },
  { "redraw-mask-blur", "mask-blur" },
  { "redraw-batch-size", "batch-size" },
  { "redraw-tile-order", "tile-order" },
  { "redraw-seams-fix", "seams-fix" },
  { "redraw-seams-fix-denoise", "seams-fix-denoise" },
  { "redraw-seams-fix-width", "seams-fix-width" },
  { "redraw-seams-fix-mask-blur", "seams-fix-mask-blur" },
  { "redraw-seams-fix-padding", "seams-fix-padding" },
  { "redraw-color-fix", "color-fix" },
  { "redraw-clip-skip", "clip-skip" },
};

/**
 * tessera_redraw_panel_setup:
 * @library: whose checkpoints the panel offers
 * @settings: (nullable): where the choices are kept
 *
 * Fills the panel in; once, before it is used.
 */
void
tessera_redraw_panel_setup (TesseraRedrawPanel  *self,
                            TesseraModelLibrary *library,
                            GSettings           *settings)
{
  GListModel *checkpoints;

  g_return_if_fail (TESSERA_IS_REDRAW_PANEL (self));
  g_return_if_fail (TESSERA_IS_MODEL_LIBRARY (library));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));
  g_return_if_fail (self->library == NULL);

  self->library = g_object_ref (library);
  checkpoints = tessera_model_library_get_checkpoints (library);
  /* before the drop-down's own handler, which chooses anew */
  g_signal_connect_object (checkpoints, "items-changed", G_CALLBACK (tessera_redraw_panel_checkpoints_changed_cb),
                           self, G_CONNECT_SWAPPED);
  adw_combo_row_set_model (self->checkpoint_row, checkpoints);

  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_settings_bind (settings, "redraw", self, "enabled", G_SETTINGS_BIND_DEFAULT);
      for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
        g_settings_bind (settings, kept[i].key, self->options, kept[i].property, G_SETTINGS_BIND_DEFAULT);
      g_settings_bind_with_mapping (settings, "redraw-vae", self->options, "vae-file", G_SETTINGS_BIND_DEFAULT,
                                    get_vae_mapping, set_vae_mapping, NULL, NULL);
    }
  restore_checkpoint (self);
  g_signal_connect_object (self->checkpoint_row, "notify::selected-item",
                           G_CALLBACK (tessera_redraw_panel_checkpoint_selected_cb), self, G_CONNECT_SWAPPED);
}

gboolean
tessera_redraw_panel_get_enabled (TesseraRedrawPanel *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_PANEL (self), FALSE);

  return self->enabled;
}

void
tessera_redraw_panel_set_enabled (TesseraRedrawPanel *self,
                                  gboolean            enabled)
{
  g_return_if_fail (TESSERA_IS_REDRAW_PANEL (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

/**
 * tessera_redraw_panel_get_options:
 *
 * Returns: (transfer none): the choices; copy them for a redraw
 */
TesseraRedrawOptions *
tessera_redraw_panel_get_options (TesseraRedrawPanel *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_PANEL (self), NULL);

  return self->options;
}

/**
 * tessera_redraw_panel_get_checkpoint:
 *
 * Returns: (transfer none) (nullable): the checkpoint chosen
 */
TesseraCheckpoint *
tessera_redraw_panel_get_checkpoint (TesseraRedrawPanel *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_PANEL (self), NULL);

  return adw_combo_row_get_selected_item (self->checkpoint_row);
}

/* Chooses @checkpoint if it is offered. */
void
tessera_redraw_panel_set_checkpoint (TesseraRedrawPanel *self,
                                     TesseraCheckpoint  *checkpoint)
{
  GListModel *checkpoints;

  g_return_if_fail (TESSERA_IS_REDRAW_PANEL (self));
  g_return_if_fail (checkpoint == NULL || TESSERA_IS_CHECKPOINT (checkpoint));

  checkpoints = adw_combo_row_get_model (self->checkpoint_row);
  for (guint i = 0; checkpoint != NULL && checkpoints != NULL && i < g_list_model_get_n_items (checkpoints); i++)
    {
      g_autoptr(TesseraCheckpoint) item = g_list_model_get_item (checkpoints, i);

      if (item == checkpoint)
        {
          adw_combo_row_set_selected (self->checkpoint_row, i);
          return;
        }
    }
}

/* The seed the last redraw used, for "Reuse the Last Seed". */
void
tessera_redraw_panel_set_last_seed (TesseraRedrawPanel *self,
                                    gint64              seed)
{
  g_return_if_fail (TESSERA_IS_REDRAW_PANEL (self));

  self->last_seed = seed;
  gtk_widget_set_sensitive (self->reuse_seed_button, seed >= 0);
}

/**
 * tessera_redraw_panel_get_generation_info:
 *
 * Returns: (transfer none) (nullable): the generation info shown
 */
TesseraGenerationInfo *
tessera_redraw_panel_get_generation_info (TesseraRedrawPanel *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_PANEL (self), NULL);

  return self->info;
}

/* Shows what the image shown was made with; %NULL hides the group. */
void
tessera_redraw_panel_set_generation_info (TesseraRedrawPanel    *self,
                                          TesseraGenerationInfo *info)
{
  g_return_if_fail (TESSERA_IS_REDRAW_PANEL (self));
  g_return_if_fail (info == NULL || TESSERA_IS_GENERATION_INFO (info));

  if (!g_set_object (&self->info, info))
    return;
  show_info (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GENERATION_INFO]);
}
