/* tessera-batch-view.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-batch-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "tessera-batch-view.h"
#include "tessera-texture.h"

/* The batch queue on screen: a list of the images, each with its
 * thumbnail, status, progress and error; where the results go and how
 * they are named, encoded and kept; and the buttons that start, pause,
 * resume and cancel it. The upscaler and its choices are the window's
 * panel's, which the window passes to tessera_batch_view_start(), with
 * the Redraw section's checkpoint and options for a batch that redraws
 * its images after their upscale or instead.
 * The output choices are the settings' output defaults. */

/* The thumbnails are loaded at twice the size the row shows them at
 * (ui/tessera-batch-row.ui), for screens with two pixels to a point. */
#define THUMBNAIL_SIZE 48

/* A row of the list: an image's thumbnail, name, status, progress and
 * error, following its item as the batch runs. A box, for the spacing
 * that the rich-list style gives a row's box. */

#define TESSERA_TYPE_BATCH_ROW (tessera_batch_row_get_type ())

G_DECLARE_FINAL_TYPE (TesseraBatchRow, tessera_batch_row, TESSERA, BATCH_ROW, GtkBox)

struct _TesseraBatchRow
{
  GtkBox            parent_instance;

  GtkImage         *thumbnail;
  GtkLabel         *name;
  GtkLabel         *status;
  GtkProgressBar   *progress;

  TesseraBatchItem *item;
};

G_DEFINE_FINAL_TYPE (TesseraBatchRow, tessera_batch_row, GTK_TYPE_BOX)

enum {
  ROW_PROP_0,
  ROW_PROP_ITEM,
  ROW_N_PROPS
};

static GParamSpec *row_properties[ROW_N_PROPS];

static void
tessera_batch_row_item_notify_cb (TesseraBatchRow *self)
{
  TesseraBatchItemStatus status = tessera_batch_item_get_status (self->item);
  GtkWidget *label = GTK_WIDGET (self->status);
  g_autofree char *text = NULL;

  switch (status)
    {
    case TESSERA_BATCH_ITEM_WAITING:
      text = g_strdup (_("Waiting"));
      break;
    case TESSERA_BATCH_ITEM_RUNNING:
      /* the engine's own words say which tile and step a redraw is at */
      if (tessera_batch_item_get_progress_text (self->item) != NULL)
        text = g_strdup (tessera_batch_item_get_progress_text (self->item));
      else
        text = g_strdup (_("Upscaling…"));
      break;
    case TESSERA_BATCH_ITEM_DONE:
      {
        g_autofree char *name = g_file_get_basename (tessera_batch_item_get_output (self->item));

        text = g_strdup_printf (_("Saved as %s"), name);
      }
      break;
    case TESSERA_BATCH_ITEM_SKIPPED:
      text = g_strdup (_("Skipped: the output exists"));
      break;
    case TESSERA_BATCH_ITEM_FAILED:
      text = g_strdup (tessera_batch_item_get_error (self->item));
      break;
    }
  gtk_label_set_label (self->status, text);
  if (status == TESSERA_BATCH_ITEM_FAILED)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
  if (status == TESSERA_BATCH_ITEM_WAITING || status == TESSERA_BATCH_ITEM_RUNNING)
    gtk_widget_add_css_class (label, "dim-label");
  else
    gtk_widget_remove_css_class (label, "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (self->progress), status == TESSERA_BATCH_ITEM_RUNNING);
  gtk_progress_bar_set_fraction (self->progress, tessera_batch_item_get_progress (self->item));
}

/* A video's, which GdkPixbuf does not read, is its first frame. */
static GdkTexture *
load_first_frame (GFile *file)
{
  g_autoptr(TesseraMediaReader) reader = NULL;
  g_autoptr(TesseraImage) frame = NULL;
  guint side;

  if (tessera_media_probe (file) == TESSERA_MEDIA_KIND_STILL)
    return NULL;
  reader = tessera_media_reader_new (file, NULL);
  frame = reader != NULL ? tessera_media_reader_read_frame (reader, NULL, NULL, NULL) : NULL;
  if (frame == NULL)
    return NULL;
  side = MAX (tessera_image_get_width (frame), tessera_image_get_height (frame));
  return tessera_texture_new_reduced (frame, MAX (side / (THUMBNAIL_SIZE * 2), 1));
}

static void
load_thumbnail (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GFile *file = tessera_batch_item_get_file (source);
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GdkPixbuf) pixbuf = path != NULL ? gdk_pixbuf_new_from_file_at_scale (path, THUMBNAIL_SIZE * 2,
                                                                                   THUMBNAIL_SIZE * 2, TRUE, NULL)
                                             : NULL;

  g_task_return_pointer (task, pixbuf != NULL ? gdk_texture_new_for_pixbuf (pixbuf) : load_first_frame (file),
                         g_object_unref);
}

/* The item's thumbnail, or an icon while it loads or when the image
 * cannot be read. */
static void
show_thumbnail (TesseraBatchRow *self)
{
  GdkPaintable *thumbnail = g_object_get_data (G_OBJECT (self->item), "tessera-thumbnail");

  if (thumbnail != NULL)
    gtk_image_set_from_paintable (self->thumbnail, thumbnail);
  else
    gtk_image_set_from_icon_name (self->thumbnail, "image-x-generic-symbolic");
}

/* The thumbnail is kept on the item, for the rows it scrolls into. */
static void
tessera_batch_row_thumbnail_loaded_cb (GObject      *source,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  g_autoptr(TesseraBatchRow) self = user_data;
  GdkTexture *texture = g_task_propagate_pointer (G_TASK (result), NULL);

  if (texture != NULL)
    g_object_set_data_full (source, "tessera-thumbnail", texture, g_object_unref);
  if (self->item == (gpointer) source)
    show_thumbnail (self);
}

static void
tessera_batch_row_set_item (TesseraBatchRow  *self,
                            TesseraBatchItem *item)
{
  if (self->item == item)
    return;

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  g_set_object (&self->item, item);
  if (item != NULL)
    {
      gtk_label_set_label (self->name, tessera_batch_item_get_name (item));
      show_thumbnail (self);
      if (g_object_get_data (G_OBJECT (item), "tessera-thumbnail-asked") == NULL)
        {
          g_autoptr(GTask) task = g_task_new (item, NULL, tessera_batch_row_thumbnail_loaded_cb, g_object_ref (self));

          g_object_set_data (G_OBJECT (item), "tessera-thumbnail-asked", GINT_TO_POINTER (TRUE));
          g_task_run_in_thread (task, load_thumbnail);
        }
      g_signal_connect_swapped (item, "notify", G_CALLBACK (tessera_batch_row_item_notify_cb), self);
      tessera_batch_row_item_notify_cb (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), row_properties[ROW_PROP_ITEM]);
}

static void
tessera_batch_row_dispose (GObject *object)
{
  tessera_batch_row_set_item (TESSERA_BATCH_ROW (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), TESSERA_TYPE_BATCH_ROW);

  G_OBJECT_CLASS (tessera_batch_row_parent_class)->dispose (object);
}

static void
tessera_batch_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  switch (prop_id)
    {
    case ROW_PROP_ITEM:
      g_value_set_object (value, TESSERA_BATCH_ROW (object)->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_batch_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case ROW_PROP_ITEM:
      tessera_batch_row_set_item (TESSERA_BATCH_ROW (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_batch_row_class_init (TesseraBatchRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_batch_row_dispose;
  object_class->get_property = tessera_batch_row_get_property;
  object_class->set_property = tessera_batch_row_set_property;

  row_properties[ROW_PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, TESSERA_TYPE_BATCH_ITEM,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-batch-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchRow, thumbnail);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchRow, name);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchRow, status);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchRow, progress);
}

static void
tessera_batch_row_init (TesseraBatchRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* The view. */

struct _TesseraBatchView
{
  AdwBin          parent_instance;

  GtkStack       *content;        /* the list, or the hint when empty */
  GtkListView    *list_view;
  GtkButton      *folder_button;
  GtkCheckButton *recursive_check;
  GtkEntry       *pattern_entry;
  GtkDropDown    *format_dropdown;
  GtkSpinButton  *quality_spin;
  GtkCheckButton *skip_check;
  GtkDropDown    *redraw_dropdown;
  GtkLabel       *summary;
  GtkWidget      *start_button;
  GtkWidget      *pause_button;
  GtkWidget      *cancel_button;

  TesseraBatch   *batch;
  GSettings      *settings;       /* NULL without the schema */
  GFile          *output_folder;  /* NULL: beside each image */
};

G_DEFINE_FINAL_TYPE (TesseraBatchView, tessera_batch_view, ADW_TYPE_BIN)

static const char *format_names[] = { "png", "jpeg", "webp", "tiff" };

static void
update_controls (TesseraBatchView *self)
{
  TesseraBatchState state = tessera_batch_get_state (self->batch);
  guint n_items = g_list_model_get_n_items (tessera_batch_get_items (self->batch));
  guint waiting = tessera_batch_get_n_waiting (self->batch);
  g_autofree char *text = NULL;

  gtk_stack_set_visible_child_name (self->content, n_items > 0 ? "list" : "empty");
  gtk_widget_set_sensitive (self->start_button, state == TESSERA_BATCH_IDLE && waiting > 0);
  gtk_widget_set_sensitive (self->pause_button, state != TESSERA_BATCH_IDLE);
  gtk_widget_set_sensitive (self->cancel_button, state != TESSERA_BATCH_IDLE);
  gtk_button_set_label (GTK_BUTTON (self->pause_button), state == TESSERA_BATCH_PAUSED ? _("_Resume") : _("_Pause"));

  /* Translators: the batch's counts of images. */
  text = g_strdup_printf (_("%u done, %u failed, %u skipped, %u waiting"), tessera_batch_get_n_done (self->batch),
                          tessera_batch_get_n_failed (self->batch), tessera_batch_get_n_skipped (self->batch),
                          waiting);
  gtk_label_set_label (self->summary, text);
}

static void
show_output_folder (TesseraBatchView *self)
{
  g_autofree char *name = self->output_folder != NULL ? g_file_get_basename (self->output_folder) : NULL;
  g_autofree char *path = self->output_folder != NULL ? g_file_get_path (self->output_folder) : NULL;

  gtk_button_set_label (self->folder_button, name != NULL ? name : _("Beside Each Image"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->folder_button), path);
}

void
tessera_batch_view_set_output_folder (TesseraBatchView *self,
                                      GFile            *folder)
{
  g_return_if_fail (TESSERA_IS_BATCH_VIEW (self));

  g_set_object (&self->output_folder, folder);
  show_output_folder (self);
}

static void
tessera_batch_view_folder_chosen_cb (GtkNativeDialog  *dialog,
                                     int               response,
                                     TesseraBatchView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      tessera_batch_view_set_output_folder (self, folder);
    }
  else if (response == GTK_RESPONSE_REJECT)
    tessera_batch_view_set_output_folder (self, NULL);
  g_object_unref (dialog);
}

static void
tessera_batch_view_folder_clicked_cb (TesseraBatchView *self)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Choose Where Results Go"), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (tessera_batch_view_folder_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
tessera_batch_view_images_chosen_cb (GtkNativeDialog  *dialog,
                                     int               response,
                                     TesseraBatchView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        g_ptr_array_add (array, g_list_model_get_item (files, i));
      tessera_batch_view_add_files (self, (GFile **) array->pdata, array->len);
    }
  g_object_unref (dialog);
}

static void
add_images (TesseraBatchView *self,
            gboolean          folders)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (folders ? _("Add Folders") : _("Add Images"),
                                        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        folders ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Add"), NULL);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (tessera_batch_view_images_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
tessera_batch_view_add_images_clicked_cb (TesseraBatchView *self)
{
  add_images (self, FALSE);
}

static void
tessera_batch_view_add_folder_clicked_cb (TesseraBatchView *self)
{
  add_images (self, TRUE);
}

static void
tessera_batch_view_clear_finished_clicked_cb (TesseraBatchView *self)
{
  tessera_batch_remove_finished (self->batch);
}

static void
tessera_batch_view_pause_clicked_cb (TesseraBatchView *self)
{
  if (tessera_batch_get_state (self->batch) == TESSERA_BATCH_PAUSED)
    tessera_batch_resume (self->batch);
  else
    tessera_batch_pause (self->batch);
}

static void
tessera_batch_view_cancel_clicked_cb (TesseraBatchView *self)
{
  tessera_batch_cancel (self->batch);
}

static void
tessera_batch_view_dispose (GObject *object)
{
  TesseraBatchView *self = TESSERA_BATCH_VIEW (object);

  if (self->batch != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->batch, self);
      tessera_batch_cancel (self->batch);
    }
  g_clear_object (&self->batch);
  g_clear_object (&self->settings);
  g_clear_object (&self->output_folder);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_BATCH_VIEW);

  G_OBJECT_CLASS (tessera_batch_view_parent_class)->dispose (object);
}

static void
tessera_batch_view_class_init (TesseraBatchViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = tessera_batch_view_dispose;

  g_type_ensure (TESSERA_TYPE_BATCH_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-batch-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, content);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, list_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, folder_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, recursive_check);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, pattern_entry);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, format_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, quality_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, skip_check);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, summary);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, start_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, redraw_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, pause_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraBatchView, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, tessera_batch_view_add_images_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_batch_view_add_folder_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_batch_view_clear_finished_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_batch_view_folder_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_batch_view_pause_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_batch_view_cancel_clicked_cb);
}

static void
tessera_batch_view_init (TesseraBatchView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_entry_set_placeholder_text (self->pattern_entry, TESSERA_DEFAULT_NAME_PATTERN);
  show_output_folder (self);
}

/**
 * tessera_batch_view_setup:
 * @engine: what runs the images
 * @settings: (nullable): the output defaults to show and keep
 *
 * Makes the view's batch; once, before the view is used.
 */
void
tessera_batch_view_setup (TesseraBatchView *self,
                          TesseraEngine    *engine,
                          GSettings        *settings)
{
  GListModel *items;

  g_return_if_fail (TESSERA_IS_BATCH_VIEW (self));
  g_return_if_fail (TESSERA_IS_ENGINE (engine));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));
  g_return_if_fail (self->batch == NULL);

  self->batch = tessera_batch_new (engine);
  items = tessera_batch_get_items (self->batch);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (items))));
  g_signal_connect_object (items, "items-changed", G_CALLBACK (update_controls), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->batch, "notify", G_CALLBACK (update_controls), self, G_CONNECT_SWAPPED);

  if (settings != NULL)
    {
      g_autofree char *format = g_settings_get_string (settings, "output-format");

      self->settings = g_object_ref (settings);
      g_settings_bind (settings, "name-pattern", self->pattern_entry, "text", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "output-quality", self->quality_spin, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "skip-existing", self->skip_check, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "batch-recursive", self->recursive_check, "active", G_SETTINGS_BIND_DEFAULT);
      for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
        if (g_str_equal (format, format_names[i]))
          gtk_drop_down_set_selected (self->format_dropdown, i);
    }
  update_controls (self);
}

TesseraBatch *
tessera_batch_view_get_batch (TesseraBatchView *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH_VIEW (self), NULL);

  return self->batch;
}

/**
 * tessera_batch_view_add_files:
 *
 * Adds images, and the images of folders (with their subfolders' when
 * asked); a folder without images says so under the list.
 */
void
tessera_batch_view_add_files (TesseraBatchView  *self,
                              GFile            **files,
                              guint              n_files)
{
  gboolean recursive;

  g_return_if_fail (TESSERA_IS_BATCH_VIEW (self));

  recursive = gtk_check_button_get_active (self->recursive_check);
  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr(GError) error = NULL;

      if (g_file_query_file_type (files[i], G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
        tessera_batch_add_file (self->batch, files[i]);
      else if (!tessera_batch_add_folder (self->batch, files[i], recursive, &error))
        gtk_label_set_label (self->summary, error->message);
    }
}

/**
 * tessera_batch_view_start:
 * @options: the upscaler and its choices; the format and quality are the
 *   view's
 * @upscaler_label: the upscaler as output names show it
 * @checkpoint: (nullable): the Stable Diffusion checkpoint to redraw with,
 *   when the view's Redraw choice asks for it
 * @redraw_options: how to redraw
 *
 * Starts the images waiting, or fails, saying why (a bad name pattern, no
 * checkpoint to redraw with).
 */
gboolean
tessera_batch_view_start (TesseraBatchView      *self,
                          TesseraUpscaleOptions *options,
                          const char            *upscaler_label,
                          TesseraCheckpoint     *checkpoint,
                          TesseraRedrawOptions  *redraw_options,
                          GError               **error)
{
  g_autoptr(TesseraUpscaleOptions) copy = NULL;
  TesseraBatchRedraw redraw;
  TesseraImageFormat image_format;
  const char *pattern;
  guint format;

  g_return_val_if_fail (TESSERA_IS_BATCH_VIEW (self), FALSE);
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (redraw_options), FALSE);

  redraw = tessera_batch_view_get_redraw (self);
  if (redraw != TESSERA_BATCH_REDRAW_NONE && checkpoint == NULL)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                           _("Choose a Stable Diffusion checkpoint to redraw with"));
      return FALSE;
    }
  tessera_batch_set_redraw (self->batch, redraw, checkpoint, redraw_options);

  copy = tessera_upscale_options_copy (options);
  format = gtk_drop_down_get_selected (self->format_dropdown);
  if (format >= G_N_ELEMENTS (format_names) || !tessera_image_format_from_name (format_names[format], &image_format))
    image_format = TESSERA_IMAGE_FORMAT_PNG;
  tessera_upscale_options_set_format (copy, image_format);
  tessera_upscale_options_set_quality (copy, gtk_spin_button_get_value_as_int (self->quality_spin));
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "output-format", format_names[MIN (format, G_N_ELEMENTS (format_names) - 1)]);

  pattern = gtk_editable_get_text (GTK_EDITABLE (self->pattern_entry));
  tessera_batch_set_options (self->batch, copy);
  tessera_batch_set_upscaler_label (self->batch, upscaler_label);
  tessera_batch_set_output_folder (self->batch, self->output_folder);
  tessera_batch_set_name_pattern (self->batch, pattern[0] != '\0' ? pattern : NULL);
  tessera_batch_set_existing (self->batch, gtk_check_button_get_active (self->skip_check)
                                           ? TESSERA_BATCH_EXISTING_SKIP : TESSERA_BATCH_EXISTING_REPLACE);
  tessera_batch_set_keep_metadata (self->batch, self->settings == NULL ||
                                                g_settings_get_boolean (self->settings, "keep-metadata"));
  return tessera_batch_start (self->batch, error);
}

/* Whether the batch redraws its images: after their upscale, or instead. */
TesseraBatchRedraw
tessera_batch_view_get_redraw (TesseraBatchView *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH_VIEW (self), TESSERA_BATCH_REDRAW_NONE);

  switch (gtk_drop_down_get_selected (self->redraw_dropdown))
    {
    case 1:
      return TESSERA_BATCH_REDRAW_AFTER_UPSCALE;
    case 2:
      return TESSERA_BATCH_REDRAW_ONLY;
    default:
      return TESSERA_BATCH_REDRAW_NONE;
    }
}

void
tessera_batch_view_set_redraw (TesseraBatchView   *self,
                               TesseraBatchRedraw  redraw)
{
  g_return_if_fail (TESSERA_IS_BATCH_VIEW (self));

  switch (redraw)
    {
    case TESSERA_BATCH_REDRAW_NONE:
      gtk_drop_down_set_selected (self->redraw_dropdown, 0);
      break;
    case TESSERA_BATCH_REDRAW_AFTER_UPSCALE:
      gtk_drop_down_set_selected (self->redraw_dropdown, 1);
      break;
    case TESSERA_BATCH_REDRAW_ONLY:
      gtk_drop_down_set_selected (self->redraw_dropdown, 2);
      break;
    }
}
