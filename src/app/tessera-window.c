/* tessera-window.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-window"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tessera-batch-view.h"
#include "tessera-before-after-view.h"
#include "tessera-comparison-geometry.h"
#include "tessera-comparison-results.h"
#include "tessera-preferences.h"
#include "tessera-texture.h"
#include "tessera-window.h"

/* The main window: an image comes in (Open, drop, paste, the command
 * line), the controls on the right say how to upscale it, and the result
 * is compared with it and saved. Decoding, upscaling and encoding run on
 * the engine's worker threads; the window only starts them and shows
 * what they report. */

struct _TesseraWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkWidget            *drop_hint;
  GtkStack             *stack;
  TesseraBeforeAfterView   *before_after_view;
  AdwComboRow          *upscaler_row;
  AdwComboRow          *scale_row;
  AdwActionRow         *target_row;
  GtkSpinButton        *target_spin;
  AdwActionRow         *denoise_row;
  GtkScale             *denoise_scale;
  AdwActionRow         *show_tiles_row;
  GtkSwitch            *show_tiles_switch;
  GtkSpinButton        *tile_spin;
  GtkSpinButton        *overlap_spin;
  AdwActionRow         *device_row;
  GtkProgressBar       *progress_bar;
  GtkWidget            *upscale_button;
  GtkWidget            *cancel_button;

  /* Comparing upscalers on a region: the choices in the panel, the
   * region on the image, the results on their own page. */
  TesseraComparisonResults *comparison_results;
  GtkWidget            *comparison_group;
  AdwComboRow          *compare_rows[TESSERA_COMPARISON_MAX_RESULTS];
  AdwActionRow         *region_row;
  GtkSwitch            *whole_image_switch;
  GtkWidget            *compare_button;
  gboolean              comparing;
  gboolean              showing_results;  /* two whole results in the view, not the input and output */

  TesseraBatchView     *batch_view;
  gboolean              closing;          /* hidden, the batch running on */
  GStrv                 model_folders;    /* the settings' last */
  guint                 importing;        /* models being checked and copied */
  char                 *last_error;

  TesseraEngine        *engine;
  TesseraModelLibrary  *library;
  GSettings            *settings;      /* NULL when the schema is not installed */
  GFile                *file;          /* the input's; NULL when pasted */
  TesseraImage         *input;
  TesseraImage         *output;
  char                 *output_upscaler;
  double                output_scale;
  GCancellable         *running;       /* the upscale under way */
  GCancellable         *planning;      /* the tile plan being worked out */
  TesseraBeforeAfterMode    compare_mode;
};

G_DEFINE_FINAL_TYPE (TesseraWindow, tessera_window, ADW_TYPE_APPLICATION_WINDOW)

/* The scale row's choices; after them, to a width and to a height. */
static const double scales[] = { 0.0, 2.0, 3.0, 4.0, 8.0 };
enum { SCALE_TO_WIDTH = G_N_ELEMENTS (scales), SCALE_TO_HEIGHT };

static void update_tile_plan (TesseraWindow *self);
static void on_region_changed (TesseraWindow *self);
static void set_comparing (TesseraWindow *self,
                           gboolean       comparing);

enum {
  PROP_0,
  PROP_COMPARE_MODE,
  PROP_UPSCALER,
  PROP_SHOW_TILES,
  PROP_TILE_SIZE,
  PROP_COMPARING,
  PROP_COMPARED_UPSCALERS,
  PROP_COMPARE_WHOLE_IMAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


static void
toast (TesseraWindow *self,
       const char    *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* Errors short enough for a toast go in one; longer ones, in a dialog
 * under @heading, so that they can be read in full. */
#define TOAST_MAX_CHARS 90

static void
show_error (TesseraWindow *self,
            const char    *heading,
            const char    *message)
{
  AdwMessageDialog *dialog;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  if (g_utf8_strlen (message, -1) <= TOAST_MAX_CHARS && strchr (message, '\n') == NULL)
    {
      toast (self, message);
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
update_actions (TesseraWindow *self)
{
  gboolean running = self->running != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.upscale", self->input != NULL && !running && !self->comparing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run-comparison", self->input != NULL && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save", self->output != NULL && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy", self->output != NULL);
  gtk_widget_set_visible (self->cancel_button, running);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
}

static TesseraUpscalerInfo *
selected_upscaler (TesseraWindow *self)
{
  return adw_combo_row_get_selected_item (self->upscaler_row);
}

static void
select_upscaler (TesseraWindow *self,
                 const char    *name)
{
  GListModel *upscalers = tessera_engine_get_upscalers (self->engine);

  for (guint i = 0; name != NULL && i < g_list_model_get_n_items (upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (upscalers, i);

      if (g_str_equal (tessera_upscaler_info_get_name (info), name))
        {
          adw_combo_row_set_selected (self->upscaler_row, i);
          return;
        }
    }
}

static TesseraModel *
find_model (TesseraWindow *self,
            const char    *name)
{
  return tessera_model_library_find (self->library, name);
}

/* A model's architecture and scale, or that it is a classic filter. */
static char *
describe_upscaler (TesseraWindow       *self,
                   TesseraUpscalerInfo *info)
{
  g_autoptr(TesseraModel) model = find_model (self, tessera_upscaler_info_get_name (info));

  if (model != NULL)
    return g_strdup_printf (_("%s, ×%u"), tessera_arch_get_title (tessera_model_get_arch (model)),
                            tessera_model_get_scale (model));
  return g_strdup (_("Classic filter"));
}

/* A row of the upscaler list: the title, and below it the model's
 * architecture and scale, or that it is a classic filter. The first row
 * of each kind has a heading above it, which GTK 4.8's lists cannot do. */
static void
setup_upscaler_row (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    TesseraWindow            *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *heading = gtk_label_new (NULL);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (heading), 0.f);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_margin_bottom (heading, 6);
  gtk_label_set_xalign (GTK_LABEL (title), 0.f);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0.f);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_list_item_set_child (item, box);
}

static void
bind_upscaler_row (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   TesseraWindow            *self)
{
  TesseraUpscalerInfo *info = gtk_list_item_get_item (item);
  GtkWidget *heading = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *title = gtk_widget_get_next_sibling (heading);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  guint position = gtk_list_item_get_position (item);
  TesseraUpscalerKind kind = tessera_upscaler_info_get_kind (info);
  g_autoptr(TesseraUpscalerInfo) previous = NULL;
  g_autofree char *text = NULL;

  if (position > 0)
    previous = g_list_model_get_item (tessera_engine_get_upscalers (self->engine), position - 1);
  gtk_widget_set_visible (heading, previous == NULL || tessera_upscaler_info_get_kind (previous) != kind);
  gtk_label_set_label (GTK_LABEL (heading), kind == TESSERA_UPSCALER_KIND_MODEL ? _("Models") : _("Classic Filters"));

  text = describe_upscaler (self, info);
  gtk_label_set_label (GTK_LABEL (title), tessera_upscaler_info_get_title (info));
  gtk_label_set_label (GTK_LABEL (subtitle), text);
}

/* The first model, else the sharpest classic filter. */
static void
select_default_upscaler (TesseraWindow *self)
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
  select_upscaler (self, "lanczos");
}

/* A model with a few noise levels gets a slider marked at the settings
 * that pick them; the engine picks the level of a setting between. */
static void
update_denoise_levels (TesseraWindow *self,
                       TesseraModel  *model)
{
  g_autofree double *levels = NULL;
  guint n_levels = 0;

  gtk_scale_clear_marks (self->denoise_scale);
  if (model != NULL)
    levels = tessera_model_get_denoise_levels (model, &n_levels);
  for (guint i = 0; i < n_levels; i++)
    gtk_scale_add_mark (self->denoise_scale, levels[i], GTK_POS_BOTTOM, NULL);
}

/* Only models with noise levels beside them can denoise; the slider
 * says why not in its tooltip. */
static void
on_upscaler_selected (TesseraWindow *self)
{
  TesseraUpscalerInfo *info = selected_upscaler (self);
  g_autoptr(TesseraModel) model = info != NULL ? find_model (self, tessera_upscaler_info_get_name (info)) : NULL;
  g_autoptr(GError) error = NULL;
  gboolean denoise = model != NULL && tessera_model_can_denoise (model, &error);

  update_denoise_levels (self, denoise ? model : NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self->denoise_row), denoise);
  if (denoise)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->denoise_row), NULL);
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->denoise_row),
                                 error != NULL ? error->message : _("Classic filters do not denoise"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->upscaler_row),
                               info != NULL ? tessera_upscaler_info_get_description (info) : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPSCALER]);
}

static void
show_input (TesseraWindow *self,
            TesseraImage  *image,
            GFile         *file)
{
  g_autofree char *title = NULL;

  if (self->running != NULL)
    g_cancellable_cancel (self->running);
  g_clear_object (&self->running);
  tessera_before_after_view_clear_tiles (self->before_after_view);

  tessera_comparison_results_clear (self->comparison_results);
  self->showing_results = FALSE;
  tessera_before_after_view_set_labels (self->before_after_view, NULL, NULL);
  g_set_object (&self->input, image);
  g_set_object (&self->file, file);
  g_clear_object (&self->output);
  tessera_before_after_view_set_after_image (self->before_after_view, NULL);
  tessera_before_after_view_set_before_image (self->before_after_view, image);
  gtk_stack_set_visible_child_name (self->stack, "image");
  gtk_widget_grab_focus (GTK_WIDGET (self->before_after_view));
  on_region_changed (self);

  title = file != NULL ? g_file_get_basename (file) : g_strdup (_("Pasted Image"));
  gtk_window_set_title (GTK_WINDOW (self), title);
  update_actions (self);
  update_tile_plan (self);
}

typedef struct
{
  TesseraWindow *window;
  GFile         *file;
} Load;

static void
on_image_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Load *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) image = tessera_image_new_from_file_finish (result, &error);

  if (image == NULL)
    show_error (load->window, _("Could Not Open the Image"), error->message);
  else
    show_input (load->window, image, load->file);

  g_object_unref (load->window);
  g_object_unref (load->file);
  g_free (load);
}

void
tessera_window_open (TesseraWindow *self,
                     GFile         *file)
{
  Load *load;

  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  load = g_new (Load, 1);
  load->window = g_object_ref (self);
  load->file = g_object_ref (file);
  tessera_image_new_from_file_async (file, NULL, on_image_loaded, load);
}

/* Images dropped or pasted as pixels, through the engine's own reading
 * of 8-bit pixels. */
static TesseraImage *
image_from_texture (GdkTexture *texture)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_get_from_texture (texture);

  return tessera_image_new_from_pixbuf (pixbuf, NULL);
}

static void
on_clipboard_texture (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result, &error);
  g_autoptr(TesseraImage) image = NULL;

  if (texture == NULL)
    {
      toast (self, _("The clipboard holds no image"));
      return;
    }
  image = image_from_texture (texture);
  if (image == NULL)
    {
      toast (self, _("The pasted image is too large"));
      return;
    }
  show_input (self, image, NULL);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);

  gdk_clipboard_read_texture_async (clipboard, NULL, on_clipboard_texture, g_object_ref (widget));
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  g_autoptr(GdkTexture) texture = NULL;

  if (self->output == NULL)
    return;

  /* Whole, not the view's texture, which is reduced for large results. */
  texture = tessera_texture_new_for_image (self->output);
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), texture);
  toast (self, _("Result copied"));
}

static GtkFileFilter *
image_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/webp");
  gtk_file_filter_add_pixbuf_formats (filter);
  return filter;
}

static void
on_open_response (GtkNativeDialog *dialog,
                  int              response,
                  TesseraWindow   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      tessera_window_open (self, file);
    }
  g_object_unref (dialog);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Open an Image"), GTK_WINDOW (widget),
                                                              GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), NULL);
  g_autoptr(GtkFileFilter) filter = image_filter ();

  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* The hint shows while something is dragged over the window. */
static void
on_drop_hover (GtkDropTarget *target,
               GParamSpec    *pspec,
               TesseraWindow *self)
{
  gtk_widget_set_visible (self->drop_hint, gtk_drop_target_get_current_drop (target) != NULL);
}

static gboolean
is_model_name (const char *name)
{
  const char * const *extensions = tessera_model_library_get_file_extensions ();
  g_autofree char *folded = g_ascii_strdown (name, -1);

  for (guint i = 0; extensions[i] != NULL; i++)
    if (g_str_has_suffix (folded, extensions[i]))
      return TRUE;
  return FALSE;
}

static void
show_batch (TesseraWindow *self)
{
  set_comparing (self, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "batch");
}

/* One image opens; model files are imported; several images, or a
 * folder, go to the batch. */
static void
open_files (TesseraWindow  *self,
            GSList         *files)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new ();

  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *name = g_file_get_basename (l->data);

      if (is_model_name (name))
        tessera_window_import_model (self, l->data);
      else
        g_ptr_array_add (images, l->data);
    }

  if (images->len == 1 &&
      g_file_query_file_type (g_ptr_array_index (images, 0), G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    tessera_window_open (self, g_ptr_array_index (images, 0));
  else if (images->len > 0)
    {
      tessera_batch_view_add_files (self->batch_view, (GFile **) images->pdata, images->len);
      show_batch (self);
    }
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         TesseraWindow *self)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    open_files (self, g_value_get_boxed (value));
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      GSList one = { g_value_get_object (value), NULL };

      open_files (self, &one);
    }
  else if (G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    {
      g_autoptr(TesseraImage) image = image_from_texture (g_value_get_object (value));

      if (image == NULL)
        return FALSE;
      show_input (self, image, NULL);
    }
  else
    return FALSE;
  return TRUE;
}

typedef struct
{
  TesseraWindow *window;
  GCancellable  *cancellable;
  char          *upscaler;
  TesseraImage  *previous;    /* the result shown before, back if this fails */
} Job;

static void
job_free (Job *job)
{
  g_object_unref (job->window);
  g_object_unref (job->cancellable);
  g_free (job->upscaler);
  g_clear_object (&job->previous);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

/* Reports of a job cancelled or replaced are dropped. */
static gboolean
job_is_current (Job *job)
{
  return job->window->running == job->cancellable && !g_cancellable_is_cancelled (job->cancellable);
}

static void
on_progress (double      fraction,
             const char *text,
             gpointer    user_data)
{
  Job *job = user_data;

  if (!job_is_current (job))
    return;
  gtk_progress_bar_set_fraction (job->window->progress_bar, CLAMP (fraction, 0.0, 1.0));
  gtk_progress_bar_set_text (job->window->progress_bar, text);
}

/* Finished tiles fill in the after side; with the overlay on, it shows
 * the plan of the pass running and each tile's state. */
static void
on_tile (const TesseraTileEvent *event,
         gpointer                user_data)
{
  Job *job = user_data;
  TesseraWindow *self = job->window;

  if (!job_is_current (job))
    return;
  if (gtk_switch_get_active (self->show_tiles_switch) &&
      tessera_before_after_view_get_tile_plan (self->before_after_view) != event->plan)
    tessera_before_after_view_set_tile_plan (self->before_after_view, event->plan);
  tessera_before_after_view_show_tile (self->before_after_view, event);
}

/* @output, made by @upscaler, becomes the result to compare and save;
 * it keeps the input's metadata only when the settings say so. */
static void
show_output (TesseraWindow *self,
             TesseraImage  *output,
             const char    *upscaler)
{
  if (self->settings != NULL && !g_settings_get_boolean (self->settings, "keep-metadata"))
    tessera_image_strip_metadata (output);
  g_set_object (&self->output, output);
  g_free (self->output_upscaler);
  self->output_upscaler = g_strdup (upscaler);
  self->output_scale = (double) tessera_image_get_width (output) / tessera_image_get_width (self->input);
  tessera_before_after_view_set_after_image (self->before_after_view, output);
}

static void
on_upscaled (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  TesseraWindow *self = job->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) output = tessera_engine_upscale_finish (TESSERA_ENGINE (source), result, &error);
  gboolean current = self->running == job->cancellable;

  /* A newer job replaced this one; its own end is what counts. */
  if (!current)
    return;
  g_clear_object (&self->running);

  if (output == NULL || g_cancellable_is_cancelled (job->cancellable))
    {
      if (error != NULL)
        g_debug ("The upscale ended: %s", error->message);
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, _("Could Not Upscale"), error->message);
      tessera_before_after_view_set_after_image (self->before_after_view, job->previous);
    }
  else
    show_output (self, output, job->upscaler);
  tessera_before_after_view_clear_tiles (self->before_after_view);
  update_actions (self);
  update_tile_plan (self);
}

/* The scale a model upscales by in one pass; classic filters have none,
 * and get ×4. */
static double
native_scale (TesseraWindow *self,
              const char    *name)
{
  g_autoptr(TesseraModel) model = find_model (self, name);

  return model != NULL ? tessera_model_get_scale (model) : 4.0;
}

/* The panel's choices as engine options. */
static void
fill_options (TesseraWindow          *self,
              TesseraUpscalerInfo    *info,
              TesseraUpscaleOptions  *options)
{
  guint scale_index = adw_combo_row_get_selected (self->scale_row);
  guint target = gtk_spin_button_get_value_as_int (self->target_spin);

  tessera_upscale_options_set_upscaler (options, tessera_upscaler_info_get_name (info));
  if (scale_index == SCALE_TO_WIDTH)
    tessera_upscale_options_set_width (options, target);
  else if (scale_index == SCALE_TO_HEIGHT)
    tessera_upscale_options_set_height (options, target);
  else
    tessera_upscale_options_set_scale (options, scale_index < G_N_ELEMENTS (scales) && scales[scale_index] > 0
                                                 ? scales[scale_index]
                                                 : native_scale (self, tessera_upscaler_info_get_name (info)));
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->denoise_row)))
    tessera_upscale_options_set_denoise (options, gtk_range_get_value (GTK_RANGE (self->denoise_scale)));
  tessera_upscale_options_set_tile_size (options, gtk_spin_button_get_value_as_int (self->tile_spin));
  tessera_upscale_options_set_tile_overlap (options, gtk_spin_button_get_value_as_int (self->overlap_spin));

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
on_planned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
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
  adw_action_row_set_subtitle (self->show_tiles_row, text);
  tessera_before_after_view_set_tile_plan (self->before_after_view, plan);
}

/* The overlay shows the plan the engine would run, worked out again
 * whenever a choice it depends on changes; the model is loaded for it in
 * a thread. */
static void
update_tile_plan (TesseraWindow *self)
{
  TesseraUpscalerInfo *info = selected_upscaler (self);
  g_autoptr(GTask) task = NULL;
  PlanRequest *request;

  if (self->planning != NULL)
    g_cancellable_cancel (self->planning);
  g_clear_object (&self->planning);

  if (!gtk_switch_get_active (self->show_tiles_switch) || self->input == NULL || info == NULL)
    {
      tessera_before_after_view_set_tile_plan (self->before_after_view, NULL);
      adw_action_row_set_subtitle (self->show_tiles_row, "");
      return;
    }

  /* An upscale shows its own plans; this one is worked out after it. */
  if (self->running != NULL)
    return;

  request = g_new0 (PlanRequest, 1);
  request->options = tessera_upscale_options_new ();
  request->width = tessera_image_get_width (self->input);
  request->height = tessera_image_get_height (self->input);
  request->has_alpha = tessera_image_get_has_alpha (self->input);
  fill_options (self, info, request->options);

  self->planning = g_cancellable_new ();
  task = g_task_new (self->engine, self->planning, on_planned, g_object_ref (self));
  g_task_set_task_data (task, request, (GDestroyNotify) plan_request_free);
  g_task_run_in_thread (task, plan_in_thread);
}

static void
on_scale_selected (TesseraWindow *self)
{
  guint scale_index = adw_combo_row_get_selected (self->scale_row);

  gtk_widget_set_visible (GTK_WIDGET (self->target_row),
                          scale_index == SCALE_TO_WIDTH || scale_index == SCALE_TO_HEIGHT);
  update_tile_plan (self);
}

static void
upscale_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  TesseraUpscalerInfo *info = selected_upscaler (self);
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  guint width, height;
  Job *job;

  if (self->input == NULL || info == NULL || self->running != NULL)
    return;

  fill_options (self, info, options);

  job = g_new0 (Job, 1);
  job->window = g_object_ref (self);
  job->cancellable = g_cancellable_new ();
  job->upscaler = g_strdup (tessera_upscaler_info_get_name (info));
  g_set_object (&job->previous, self->output);
  self->running = g_object_ref (job->cancellable);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting"));
  update_actions (self);
  /* The after side fills in tile by tile from the before image. */
  tessera_before_after_view_set_after_image (self->before_after_view, NULL);
  if (tessera_upscale_options_compute_size (options, tessera_image_get_width (self->input),
                                            tessera_image_get_height (self->input), &width, &height, NULL))
    tessera_before_after_view_begin_filling (self->before_after_view, width, height);

  tessera_engine_upscale_async (self->engine, self->input, options, job->cancellable, on_progress, on_tile, job,
                                on_upscaled, job);
}

/* Comparing upscalers. */

/* The compare rows' choices: each upscaler, and for all but the first
 * two, none. */
static GListModel *
upscalers_or_none (TesseraWindow *self)
{
  GListStore *parts = g_list_store_new (G_TYPE_LIST_MODEL);
  g_autoptr(GListStore) none = g_list_store_new (TESSERA_TYPE_UPSCALER_INFO);
  g_autoptr(TesseraUpscalerInfo) nothing = tessera_upscaler_info_new ("", _("None"), "", TESSERA_UPSCALER_KIND_CLASSIC);

  g_list_store_append (none, nothing);
  g_list_store_append (parts, none);
  g_list_store_append (parts, tessera_engine_get_upscalers (self->engine));
  return G_LIST_MODEL (gtk_flatten_list_model_new (G_LIST_MODEL (parts)));
}

static TesseraUpscalerInfo *
compare_row_choice (TesseraWindow *self,
                    guint          row)
{
  TesseraUpscalerInfo *info = adw_combo_row_get_selected_item (self->compare_rows[row]);

  return info != NULL && tessera_upscaler_info_get_name (info)[0] != '\0' ? info : NULL;
}

/* The first two rows start at the upscaler chosen and the next one of
 * the other kind (a model beside a filter, or the other way), so that
 * one click compares something. */
static void
fill_compare_rows (TesseraWindow *self)
{
  GListModel *upscalers = tessera_engine_get_upscalers (self->engine);
  guint chosen = adw_combo_row_get_selected (self->upscaler_row);
  TesseraUpscalerInfo *info = selected_upscaler (self);
  guint other = chosen == 0 ? 1 : 0;

  for (guint i = 0; info != NULL && i < g_list_model_get_n_items (upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) candidate = g_list_model_get_item (upscalers, i);

      if (tessera_upscaler_info_get_kind (candidate) != tessera_upscaler_info_get_kind (info))
        {
          other = i;
          break;
        }
    }
  adw_combo_row_set_selected (self->compare_rows[0], chosen);
  adw_combo_row_set_selected (self->compare_rows[1], other);
  for (guint row = 2; row < TESSERA_COMPARISON_MAX_RESULTS; row++)
    adw_combo_row_set_selected (self->compare_rows[row], 0);
}

/* The names of the upscalers the rows have chosen. */
static GStrv
get_compared_upscalers (TesseraWindow *self)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS; row++)
    {
      TesseraUpscalerInfo *info = compare_row_choice (self, row);

      if (info != NULL)
        g_strv_builder_add (names, tessera_upscaler_info_get_name (info));
    }
  return g_strv_builder_end (names);
}

/* Rows past @names choose none; names no longer offered, the defaults. */
static void
set_compared_upscalers (TesseraWindow      *self,
                        const char * const *names)
{
  guint n = names != NULL ? g_strv_length ((GStrv) names) : 0;

  fill_compare_rows (self);
  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS && row < n; row++)
    {
      GListModel *choices = adw_combo_row_get_model (self->compare_rows[row]);

      for (guint i = 0; i < g_list_model_get_n_items (choices); i++)
        {
          g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (choices, i);

          if (g_str_equal (tessera_upscaler_info_get_name (info), names[row]))
            adw_combo_row_set_selected (self->compare_rows[row], i);
        }
    }
}

static void
on_compare_row_selected (TesseraWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARED_UPSCALERS]);
}

static void
on_region_changed (TesseraWindow *self)
{
  TesseraRect region;
  g_autofree char *text = NULL;

  tessera_before_after_view_get_region (self->before_after_view, &region);
  /* Translators: a region's size and its top-left corner, in pixels. */
  text = g_strdup_printf (_("%d × %d pixels at %d, %d"), region.width, region.height, region.x, region.y);
  adw_action_row_set_subtitle (self->region_row, text);
}

static void
reset_region_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  TesseraRect region;

  if (self->input == NULL)
    return;
  region = tessera_comparison_default_region (tessera_image_get_width (self->input),
                                              tessera_image_get_height (self->input));
  tessera_before_after_view_set_region (self->before_after_view, &region);
}

/* The view shows the input and the output again, after two results. */
static void
show_own_images (TesseraWindow *self)
{
  if (!self->showing_results)
    return;
  self->showing_results = FALSE;
  tessera_before_after_view_set_labels (self->before_after_view, NULL, NULL);
  tessera_before_after_view_set_before_image (self->before_after_view, self->input);
  tessera_before_after_view_set_after_image (self->before_after_view, self->output);
}

static void
set_comparing (TesseraWindow *self,
               gboolean       comparing)
{
  comparing = !!comparing;
  if (self->comparing == comparing)
    return;
  self->comparing = comparing;

  if (comparing && adw_combo_row_get_selected (self->compare_rows[0]) == GTK_INVALID_LIST_POSITION)
    fill_compare_rows (self);
  if (!comparing)
    {
      tessera_comparison_results_cancel (self->comparison_results);
      show_own_images (self);
      if (self->input != NULL)
        gtk_stack_set_visible_child_name (self->stack, "image");
    }
  tessera_before_after_view_set_region_shown (self->before_after_view, comparing);
  gtk_widget_set_visible (self->comparison_group, comparing);
  gtk_widget_set_visible (GTK_WIDGET (self->upscaler_row), !comparing);
  gtk_widget_set_visible (self->compare_button, comparing);
  gtk_widget_set_visible (self->upscale_button, !comparing);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARING]);
}

static void
run_comparison_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  gboolean whole = gtk_switch_get_active (self->whole_image_switch);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  TesseraRect region;

  if (self->input == NULL || self->running != NULL)
    return;

  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS && (!whole || chosen->len < 2); row++)
    {
      TesseraUpscalerInfo *info = compare_row_choice (self, row);
      gboolean again = FALSE;

      for (guint i = 0; info != NULL && i < chosen->len; i++)
        again |= g_ptr_array_index (chosen, i) == info;
      if (info != NULL && !again)
        g_ptr_array_add (chosen, info);
    }
  if (chosen->len < 2)
    {
      toast (self, _("Pick two different upscalers or more"));
      return;
    }

  show_own_images (self);
  tessera_comparison_results_clear (self->comparison_results);
  for (guint i = 0; i < chosen->len; i++)
    {
      TesseraUpscalerInfo *info = g_ptr_array_index (chosen, i);
      g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
      g_autofree char *description = describe_upscaler (self, info);

      fill_options (self, info, options);
      tessera_comparison_results_add (self->comparison_results, options, tessera_upscaler_info_get_title (info),
                                   description);
    }

  if (whole)
    region = (TesseraRect) { 0, 0, tessera_image_get_width (self->input), tessera_image_get_height (self->input) };
  else
    tessera_before_after_view_get_region (self->before_after_view, &region);
  tessera_comparison_results_start (self->comparison_results, self->engine, self->input, &region);
  gtk_stack_set_visible_child_name (self->stack, "comparison");
}

/* Whole results, once both are there, go side by side in the view. */
static void
on_comparison_busy (TesseraWindow *self)
{
  TesseraImage *first, *second;

  if (tessera_comparison_results_get_busy (self->comparison_results) ||
      tessera_comparison_results_get_n_upscalers (self->comparison_results) < 2)
    return;
  first = tessera_comparison_results_get_whole_result (self->comparison_results, 0);
  second = tessera_comparison_results_get_whole_result (self->comparison_results, 1);
  if (first == NULL || second == NULL)
    return;

  self->showing_results = TRUE;
  tessera_before_after_view_set_before_image (self->before_after_view, first);
  tessera_before_after_view_set_after_image (self->before_after_view, second);
  tessera_before_after_view_set_labels (self->before_after_view, tessera_comparison_results_get_title (self->comparison_results, 0),
                                   tessera_comparison_results_get_title (self->comparison_results, 1));
  gtk_stack_set_visible_child_name (self->stack, "image");
}

static void
on_comparison_back (TesseraWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack, "image");
}

/* The upscaler picked: a whole result is the output as it is; for a
 * region, the whole image is upscaled with it. */
static void
on_comparison_apply (TesseraWindow *self,
                     const char    *upscaler,
                     guint          index)
{
  TesseraImage *whole = tessera_comparison_results_get_whole_result (self->comparison_results, index);
  g_autoptr(TesseraImage) output = whole != NULL ? g_object_ref (whole) : NULL;

  set_comparing (self, FALSE);
  select_upscaler (self, upscaler);
  gtk_stack_set_visible_child_name (self->stack, "image");
  if (output == NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.upscale", NULL);
      return;
    }

  show_output (self, output, upscaler);
  update_actions (self);
}

/* Batches. */

static void
batch_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  show_batch (TESSERA_WINDOW (widget));
}

static void
show_image_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  gtk_stack_set_visible_child_name (self->stack, self->input != NULL ? "image" : "empty");
}

/* The batch runs with the panel's upscaler and choices. */
static void
start_batch_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  TesseraUpscalerInfo *info = selected_upscaler (self);
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GError) error = NULL;

  if (info == NULL)
    return;
  fill_options (self, info, options);
  if (!tessera_batch_view_start (self->batch_view, options, tessera_upscaler_info_get_name (info), &error))
    show_error (self, _("Could Not Start the Batch"), error->message);
}

/* Importing models. */

static void
on_model_imported (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraModel) model = tessera_model_library_import_finish (TESSERA_MODEL_LIBRARY (source), result, &error);
  g_autofree char *text = NULL;

  self->importing--;
  if (model == NULL)
    {
      show_error (self, _("Could Not Import the Model"), error->message);
      return;
    }
  /* Translators: a model imported, its architecture, scale and size. */
  text = g_strdup_printf (_("Imported %s: %s, ×%u, %.1f M parameters"), tessera_model_get_name (model),
                          tessera_arch_get_title (tessera_model_get_arch (model)), tessera_model_get_scale (model),
                          tessera_model_get_n_params (model) / 1e6);
  toast (self, text);
}

/**
 * tessera_window_import_model:
 * @file: a model file
 *
 * Checks @file with the engine and copies it into the user's model
 * folder, saying what it is or why it cannot be used.
 */
void
tessera_window_import_model (TesseraWindow *self,
                             GFile         *file)
{
  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  self->importing++;
  tessera_model_library_import_async (self->library, file, NULL, on_model_imported, g_object_ref (self));
}

static void
on_import_response (GtkNativeDialog *dialog,
                    int              response,
                    TesseraWindow   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          tessera_window_import_model (self, file);
        }
    }
  g_object_unref (dialog);
}

static void
import_model_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Import Models"), GTK_WINDOW (widget),
                                                              GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), NULL);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  const char * const *extensions = tessera_model_library_get_file_extensions ();

  gtk_file_filter_set_name (filter, _("Models"));
  for (guint i = 0; extensions[i] != NULL; i++)
    gtk_file_filter_add_suffix (filter, extensions[i] + 1);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_import_response), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  gtk_window_present (GTK_WINDOW (tessera_preferences_new (GTK_WINDOW (self), self->engine, self->library,
                                                                        self->settings)));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  if (self->running != NULL)
    {
      g_cancellable_cancel (self->running);
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelling"));
    }
}

static void
open_folder (AdwToast *toast_,
             GFile    *folder)
{
  g_autofree char *uri = g_file_get_uri (folder);

  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GFile *file = g_object_get_data (G_OBJECT (self), "tessera-saving");
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  AdwToast *saved;

  if (!tessera_image_save_finish (TESSERA_IMAGE (source), result, &error))
    {
      show_error (self, _("Could Not Save"), error->message);
      return;
    }

  name = g_file_get_basename (file);
  text = g_strdup_printf (_("Saved as “%s”"), name);
  saved = adw_toast_new (text);
  adw_toast_set_button_label (saved, _("Open Folder"));
  g_signal_connect_data (saved, "button-clicked", G_CALLBACK (open_folder), g_file_get_parent (file),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, saved);
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  TesseraWindow   *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  TesseraImageFormat format = TESSERA_IMAGE_FORMAT_PNG;

  if (response != GTK_RESPONSE_ACCEPT || self->output == NULL)
    {
      g_object_unref (dialog);
      return;
    }

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_object_unref (dialog);
  path = g_file_get_basename (file);
  if (!tessera_image_format_from_filename (path, &format) || !tessera_image_format_is_writable (format))
    {
      toast (self, _("Save as .png, .jpg or .webp"));
      return;
    }

  g_object_set_data_full (G_OBJECT (self), "tessera-saving", g_object_ref (file), g_object_unref);
  tessera_image_save_async (self->output, file, format,
                            self->settings != NULL ? (int) g_settings_get_double (self->settings, "output-quality") : 92,
                            NULL, NULL, NULL, on_saved, g_object_ref (self));
}

/* The result named with the settings' pattern and format, as the CLI
 * and the batch name theirs (NAME-UPSCALER-x4.png by default); a result
 * made to a size that is no round scale has the size for its scale. */
static char *
suggested_name (TesseraWindow *self)
{
  g_autofree char *base = self->file != NULL ? g_file_get_basename (self->file) : g_strdup (_("pasted"));
  g_autofree char *pattern = self->settings != NULL ? g_settings_get_string (self->settings, "name-pattern") : NULL;
  g_autofree char *format_name = self->settings != NULL ? g_settings_get_string (self->settings, "output-format")
                                                        : NULL;
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  TesseraImageFormat format = TESSERA_IMAGE_FORMAT_PNG;
  char *name;

  if (format_name != NULL)
    tessera_image_format_from_name (format_name, &format);
  tessera_upscale_options_set_format (options, format);
  if (fabs (self->output_scale * 100 - round (self->output_scale * 100)) > 1e-6)
    {
      tessera_upscale_options_set_width (options, tessera_image_get_width (self->output));
      tessera_upscale_options_set_height (options, tessera_image_get_height (self->output));
    }
  else
    tessera_upscale_options_set_scale (options, self->output_scale);

  name = pattern != NULL && pattern[0] != '\0'
         ? tessera_upscale_options_expand_name (options, pattern, base, self->output_upscaler, NULL) : NULL;
  return name != NULL ? name : tessera_upscale_options_expand_name (options, TESSERA_DEFAULT_NAME_PATTERN, base,
                                                                    self->output_upscaler, NULL);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;

  if (self->output == NULL)
    return;

  dialog = gtk_file_chooser_native_new (_("Save the Result"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), NULL);
  name = suggested_name (self);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  if (self->file != NULL)
    {
      g_autoptr(GFile) folder = g_file_get_parent (self->file);

      if (folder != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
    }
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

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
on_device_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = g_task_propagate_pointer (G_TASK (result), &error);

  adw_action_row_set_subtitle (self->device_row, description != NULL ? description : error->message);
}

/* Says in the panel where the models will run, found off the main
 * thread: making a CUDA context takes a moment. */
static void
show_device (TesseraWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self->engine, NULL, on_device_checked, g_object_ref (self));
  char *device = self->settings != NULL ? g_settings_get_string (self->settings, "device") : g_strdup ("auto");

  g_task_set_task_data (task, device, g_free);
  g_task_run_in_thread (task, check_device);
}

/* The model folders of the settings join the library's own; those
 * removed from them leave it. */
static void
sync_model_folders (TesseraWindow *self)
{
  g_auto(GStrv) folders = self->settings != NULL ? g_settings_get_strv (self->settings, "model-folders") : NULL;

  for (guint i = 0; self->model_folders != NULL && self->model_folders[i] != NULL; i++)
    if (folders == NULL || !g_strv_contains ((const char * const *) folders, self->model_folders[i]))
      {
        g_autoptr(GFile) folder = g_file_new_for_path (self->model_folders[i]);

        if (!g_file_equal (folder, tessera_model_library_get_user_folder (self->library)))
          tessera_model_library_remove_folder (self->library, folder);
      }
  for (guint i = 0; folders != NULL && folders[i] != NULL; i++)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (folders[i]);

      tessera_model_library_add_folder (self->library, folder);
    }
  g_strfreev (self->model_folders);
  self->model_folders = g_steal_pointer (&folders);
}

/* The choices and the window's size outlive the window, when the schema
 * is installed (a build tree's app finds it through GSETTINGS_SCHEMA_DIR,
 * as build-aux/dev.sh run sets it). */
static void
find_settings (TesseraWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    g_debug ("No settings schema %s: choices are not remembered", APP_ID);
  else
    self->settings = g_settings_new_full (schema, NULL, NULL);
}

static void
bind_settings (TesseraWindow *self)
{
  g_autofree char *upscaler = NULL;

  if (self->settings == NULL)
    return;

  /* An upscaler that has gone since leaves the default. */
  upscaler = g_settings_get_string (self->settings, "upscaler");
  select_upscaler (self, upscaler);
  g_settings_bind (self->settings, "upscaler", self, "upscaler", G_SETTINGS_BIND_SET);
  g_settings_bind (self->settings, "scale", self->scale_row, "selected", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "target-size", gtk_spin_button_get_adjustment (self->target_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "denoise", gtk_range_get_adjustment (GTK_RANGE (self->denoise_scale)), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "tile-size", gtk_spin_button_get_adjustment (self->tile_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "tile-overlap", gtk_spin_button_get_adjustment (self->overlap_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "compare-mode", self, "compare-mode", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "compared-upscalers", self, "compared-upscalers", G_SETTINGS_BIND_DEFAULT);

  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

/* The batch finished with the window closed: it says so, and goes. */
static void
on_batch_finished_hidden (TesseraWindow *self)
{
  TesseraBatch *batch = tessera_batch_view_get_batch (self->batch_view);
  GApplication *application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = g_notification_new (_("Batch Finished"));
  g_autofree char *body = g_strdup_printf (_("%u done, %u failed, %u skipped"), tessera_batch_get_n_done (batch),
                                           tessera_batch_get_n_failed (batch), tessera_batch_get_n_skipped (batch));

  if (tessera_batch_get_state (batch) != TESSERA_BATCH_IDLE)
    return;
  if (application != NULL)
    {
      g_notification_set_body (notification, body);
      g_application_send_notification (application, "batch-finished", notification);
      g_application_release (application);
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_close_answered (AdwMessageDialog *dialog,
                   const char       *response,
                   TesseraWindow    *self)
{
  TesseraBatch *batch = tessera_batch_view_get_batch (self->batch_view);

  if (g_str_equal (response, "stop"))
    {
      tessera_batch_cancel (batch);
      gtk_window_close (GTK_WINDOW (self));
    }
  else if (g_str_equal (response, "background"))
    {
      GApplication *application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

      /* The application lives on while the batch does. */
      self->closing = TRUE;
      if (application != NULL)
        g_application_hold (application);
      g_signal_connect_object (batch, "notify::state", G_CALLBACK (on_batch_finished_hidden), self,
                               G_CONNECT_SWAPPED);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      on_batch_finished_hidden (self);
    }
}

/* A batch under way is not dropped without asking. */
static gboolean
ask_about_batch (TesseraWindow *self)
{
  TesseraBatch *batch = tessera_batch_view_get_batch (self->batch_view);
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  if (self->closing || tessera_batch_get_state (batch) == TESSERA_BATCH_IDLE)
    return FALSE;

  body = g_strdup_printf (ngettext ("%u image is still waiting. Tessera can go on with the window closed and "
                                    "say when it is done.",
                                    "%u images are still waiting. Tessera can go on with the window closed and "
                                    "say when it is done.",
                                    tessera_batch_get_n_waiting (batch)),
                          tessera_batch_get_n_waiting (batch));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Stop the Batch?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "stop", _("_Stop and Close"),
                                    "background", _("_Keep Running"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "background", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "background");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_close_answered), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static gboolean
tessera_window_close_request (GtkWindow *window)
{
  TesseraWindow *self = TESSERA_WINDOW (window);
  int width, height;

  if (ask_about_batch (self))
    return TRUE;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (tessera_window_parent_class)->close_request (window);
}



static void
tessera_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_COMPARE_MODE:
      g_value_set_enum (value, self->compare_mode);
      break;
    case PROP_SHOW_TILES:
      g_value_set_boolean (value, gtk_switch_get_active (self->show_tiles_switch));
      break;
    case PROP_TILE_SIZE:
      g_value_set_uint (value, gtk_spin_button_get_value_as_int (self->tile_spin));
      break;
    case PROP_COMPARING:
      g_value_set_boolean (value, self->comparing);
      break;
    case PROP_COMPARED_UPSCALERS:
      g_value_take_boxed (value, get_compared_upscalers (self));
      break;
    case PROP_COMPARE_WHOLE_IMAGE:
      g_value_set_boolean (value, gtk_switch_get_active (self->whole_image_switch));
      break;
    case PROP_UPSCALER:
      g_value_set_string (value, selected_upscaler (self) != NULL
                                 ? tessera_upscaler_info_get_name (selected_upscaler (self)) : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_COMPARE_MODE:
      if (self->compare_mode != (TesseraBeforeAfterMode) g_value_get_enum (value))
        {
          self->compare_mode = g_value_get_enum (value);
          tessera_before_after_view_set_mode (self->before_after_view, self->compare_mode);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_UPSCALER:
      select_upscaler (self, g_value_get_string (value));
      break;
    case PROP_SHOW_TILES:
      gtk_switch_set_active (self->show_tiles_switch, g_value_get_boolean (value));
      break;
    case PROP_TILE_SIZE:
      gtk_spin_button_set_value (self->tile_spin, g_value_get_uint (value));
      break;
    case PROP_COMPARING:
      set_comparing (self, g_value_get_boolean (value));
      break;
    case PROP_COMPARED_UPSCALERS:
      set_compared_upscalers (self, g_value_get_boxed (value));
      break;
    case PROP_COMPARE_WHOLE_IMAGE:
      gtk_switch_set_active (self->whole_image_switch, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_window_dispose (GObject *object)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  if (self->running != NULL)
    g_cancellable_cancel (self->running);
  g_clear_object (&self->running);
  if (self->planning != NULL)
    g_cancellable_cancel (self->planning);
  g_clear_object (&self->planning);
  g_clear_object (&self->engine);
  g_clear_object (&self->library);
  /* The settings outlive the window where their bindings keep them. */
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->file);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_pointer (&self->output_upscaler, g_free);
  g_clear_pointer (&self->model_folders, g_strfreev);
  g_clear_pointer (&self->last_error, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_WINDOW);

  G_OBJECT_CLASS (tessera_window_parent_class)->dispose (object);
}

static void
tessera_window_class_init (TesseraWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_window_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = tessera_window_close_request;
  object_class->get_property = tessera_window_get_property;
  object_class->set_property = tessera_window_set_property;

  properties[PROP_SHOW_TILES] =
    g_param_spec_boolean ("show-tiles", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  properties[PROP_TILE_SIZE] =
    g_param_spec_uint ("tile-size", NULL, NULL, 0, 8192, 0,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  properties[PROP_UPSCALER] =
    g_param_spec_string ("upscaler", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_COMPARING] =
    g_param_spec_boolean ("comparing", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_COMPARED_UPSCALERS] =
    g_param_spec_boxed ("compared-upscalers", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  properties[PROP_COMPARE_WHOLE_IMAGE] =
    g_param_spec_boolean ("compare-whole-image", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  properties[PROP_COMPARE_MODE] =
    g_param_spec_enum ("compare-mode", NULL, NULL, TESSERA_TYPE_BEFORE_AFTER_MODE, TESSERA_BEFORE_AFTER_SPLIT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TESSERA_TYPE_BEFORE_AFTER_VIEW);
  g_type_ensure (TESSERA_TYPE_COMPARISON_RESULTS);
  g_type_ensure (TESSERA_TYPE_BATCH_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, drop_hint);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, before_after_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, upscaler_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, scale_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, target_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, target_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, denoise_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, denoise_scale);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, show_tiles_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, show_tiles_switch);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, tile_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, overlap_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, device_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, upscale_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, comparison_results);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, batch_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, comparison_group);
  gtk_widget_class_bind_template_child_full (widget_class, "compare_row_1", FALSE,
                                             G_STRUCT_OFFSET (TesseraWindow, compare_rows[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "compare_row_2", FALSE,
                                             G_STRUCT_OFFSET (TesseraWindow, compare_rows[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "compare_row_3", FALSE,
                                             G_STRUCT_OFFSET (TesseraWindow, compare_rows[2]));
  gtk_widget_class_bind_template_child_full (widget_class, "compare_row_4", FALSE,
                                             G_STRUCT_OFFSET (TesseraWindow, compare_rows[3]));
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, region_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, whole_image_switch);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, compare_button);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.upscale", NULL, upscale_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_install_property_action (widget_class, "win.compare-mode", "compare-mode");
  gtk_widget_class_install_property_action (widget_class, "win.comparing", "comparing");
  gtk_widget_class_install_action (widget_class, "win.run-comparison", NULL, run_comparison_action);
  gtk_widget_class_install_action (widget_class, "win.reset-region", NULL, reset_region_action);
  gtk_widget_class_install_action (widget_class, "win.batch", NULL, batch_action);
  gtk_widget_class_install_action (widget_class, "win.import-model", NULL, import_model_action);
  gtk_widget_class_install_action (widget_class, "win.start-batch", NULL, start_batch_action);
  gtk_widget_class_install_action (widget_class, "win.show-image", NULL, show_image_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "win.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "win.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.upscale", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "win.preferences", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.comparing", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, GDK_CONTROL_MASK, "win.batch", NULL);
}

static void
tessera_window_init (TesseraWindow *self)
{
  GtkListItemFactory *factory;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->engine = tessera_engine_new ();
  self->library = tessera_model_library_new ();
  find_settings (self);
  sync_model_folders (self);
  tessera_model_library_watch (self->library);
  tessera_engine_set_model_library (self->engine, self->library);
  if (self->settings != NULL)
    g_signal_connect_swapped (self->settings, "changed::model-folders", G_CALLBACK (sync_model_folders), self);
  adw_combo_row_set_expression (self->upscaler_row,
                                gtk_property_expression_new (TESSERA_TYPE_UPSCALER_INFO, NULL, "title"));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_upscaler_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_upscaler_row), self);
  adw_combo_row_set_list_factory (self->upscaler_row, factory);
  g_object_unref (factory);
  adw_combo_row_set_model (self->upscaler_row, tessera_engine_get_upscalers (self->engine));
  g_signal_connect_swapped (self->upscaler_row, "notify::selected-item", G_CALLBACK (on_upscaler_selected), self);
  for (guint row = 0; row < TESSERA_COMPARISON_MAX_RESULTS; row++)
    {
      g_autoptr(GListModel) choices = row < 2 ? g_object_ref (tessera_engine_get_upscalers (self->engine))
                                              : upscalers_or_none (self);

      adw_combo_row_set_expression (self->compare_rows[row],
                                    gtk_property_expression_new (TESSERA_TYPE_UPSCALER_INFO, NULL, "title"));
      adw_combo_row_set_model (self->compare_rows[row], choices);
      adw_combo_row_set_selected (self->compare_rows[row], GTK_INVALID_LIST_POSITION);
      g_signal_connect_swapped (self->compare_rows[row], "notify::selected", G_CALLBACK (on_compare_row_selected),
                                self);
    }
  g_signal_connect_swapped (self->before_after_view, "region-changed", G_CALLBACK (on_region_changed), self);
  g_signal_connect_swapped (self->comparison_results, "notify::busy", G_CALLBACK (on_comparison_busy), self);
  g_signal_connect_swapped (self->comparison_results, "back", G_CALLBACK (on_comparison_back), self);
  g_signal_connect_swapped (self->comparison_results, "apply", G_CALLBACK (on_comparison_apply), self);
  select_default_upscaler (self);
  on_upscaler_selected (self);
  bind_settings (self);
  tessera_batch_view_setup (self->batch_view, self->engine, self->settings);

  g_signal_connect_swapped (self->upscaler_row, "notify::selected-item", G_CALLBACK (update_tile_plan), self);
  g_signal_connect_swapped (self->scale_row, "notify::selected", G_CALLBACK (on_scale_selected), self);
  g_signal_connect_swapped (self->target_spin, "value-changed", G_CALLBACK (update_tile_plan), self);
  g_signal_connect_swapped (self->show_tiles_switch, "notify::active", G_CALLBACK (update_tile_plan), self);
  g_signal_connect_swapped (self->tile_spin, "value-changed", G_CALLBACK (update_tile_plan), self);
  g_signal_connect_swapped (self->overlap_spin, "value-changed", G_CALLBACK (update_tile_plan), self);
  on_scale_selected (self);

  /* Anywhere on the window. */
  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, (GType[]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE, GDK_TYPE_TEXTURE }, 3);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  g_signal_connect (drop, "notify::current-drop", G_CALLBACK (on_drop_hover), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  if (self->settings != NULL)
    g_signal_connect_swapped (self->settings, "changed::device", G_CALLBACK (show_device), self);
  show_device (self);

  update_actions (self);
}

TesseraWindow *
tessera_window_new (TesseraApplication *application)
{
  return g_object_new (TESSERA_TYPE_WINDOW, "application", application, NULL);
}

GtkWidget *
tessera_window_get_before_after_view (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->before_after_view);
}

/* Whether an upscale is running. */
gboolean
tessera_window_get_busy (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), FALSE);

  return self->running != NULL;
}

GtkWidget *
tessera_window_get_comparison_results (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->comparison_results);
}

GtkWidget *
tessera_window_get_batch_view (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->batch_view);
}

/* Whether models are being imported. */
gboolean
tessera_window_get_importing (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), FALSE);

  return self->importing > 0;
}

/* The last error shown, in a toast or a dialog. */
const char *
tessera_window_get_last_error (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return self->last_error;
}

TesseraModelLibrary *
tessera_window_get_model_library (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return self->library;
}
