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

/* The batch queue on screen: a list of the images, each with its
 * thumbnail, status, progress and error; where the results go and how
 * they are named, encoded and kept; and the buttons that start, pause,
 * resume and cancel it. The upscaler and its choices are the window's
 * panel's, which the window passes to tessera_batch_view_start().
 * The output choices are the settings' output defaults. */

#define THUMBNAIL_SIZE 48

struct _TesseraBatchView
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkWidget    *content;        /* a stack: the list, or the hint when empty */
  GtkWidget    *list_view;
  GtkWidget    *folder_button;
  GtkWidget    *recursive_check;
  GtkWidget    *pattern_entry;
  GtkWidget    *format_dropdown;
  GtkWidget    *quality_spin;
  GtkWidget    *skip_check;
  GtkWidget    *summary;
  GtkWidget    *start_button;
  GtkWidget    *pause_button;
  GtkWidget    *cancel_button;

  TesseraBatch *batch;
  GSettings    *settings;       /* NULL without the schema */
  GFile        *output_folder;  /* NULL: beside each image */
};

G_DEFINE_FINAL_TYPE (TesseraBatchView, tessera_batch_view, GTK_TYPE_WIDGET)

static const char *format_names[] = { "png", "jpeg", "webp" };

/* Rows of the list. */

typedef struct
{
  GtkWidget *thumbnail;
  GtkWidget *name;
  GtkWidget *status;
  GtkWidget *progress;
} Row;

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  Row *row = g_new0 (Row, 1);

  row->thumbnail = gtk_image_new ();
  gtk_image_set_pixel_size (GTK_IMAGE (row->thumbnail), THUMBNAIL_SIZE);
  gtk_widget_set_size_request (row->thumbnail, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
  row->name = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->name), 0.f);
  gtk_label_set_ellipsize (GTK_LABEL (row->name), PANGO_ELLIPSIZE_MIDDLE);
  row->status = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->status), 0.f);
  gtk_label_set_wrap (GTK_LABEL (row->status), TRUE);
  gtk_label_set_selectable (GTK_LABEL (row->status), TRUE);
  gtk_widget_add_css_class (row->status, "caption");
  row->progress = gtk_progress_bar_new ();
  gtk_box_append (GTK_BOX (text), row->name);
  gtk_box_append (GTK_BOX (text), row->status);
  gtk_box_append (GTK_BOX (text), row->progress);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), row->thumbnail);
  gtk_box_append (GTK_BOX (box), text);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  g_object_set_data_full (G_OBJECT (box), "tessera-row", row, g_free);
  gtk_list_item_set_child (item, box);
}

static Row *
item_row (GtkListItem *item)
{
  return g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "tessera-row");
}

static void
show_item (GtkListItem *item)
{
  TesseraBatchItem *batch_item = gtk_list_item_get_item (item);
  Row *row = item_row (item);
  TesseraBatchItemStatus status = tessera_batch_item_get_status (batch_item);
  g_autofree char *text = NULL;

  switch (status)
    {
    case TESSERA_BATCH_ITEM_WAITING:
      text = g_strdup (_("Waiting"));
      break;
    case TESSERA_BATCH_ITEM_RUNNING:
      text = g_strdup (_("Upscaling…"));
      break;
    case TESSERA_BATCH_ITEM_DONE:
      {
        g_autofree char *name = g_file_get_basename (tessera_batch_item_get_output (batch_item));

        text = g_strdup_printf (_("Saved as %s"), name);
      }
      break;
    case TESSERA_BATCH_ITEM_SKIPPED:
      text = g_strdup (_("Skipped: the output exists"));
      break;
    case TESSERA_BATCH_ITEM_FAILED:
    default:
      text = g_strdup (tessera_batch_item_get_error (batch_item));
      break;
    }
  gtk_label_set_label (GTK_LABEL (row->status), text);
  if (status == TESSERA_BATCH_ITEM_FAILED)
    gtk_widget_add_css_class (row->status, "error");
  else
    gtk_widget_remove_css_class (row->status, "error");
  if (status == TESSERA_BATCH_ITEM_WAITING || status == TESSERA_BATCH_ITEM_RUNNING)
    gtk_widget_add_css_class (row->status, "dim-label");
  else
    gtk_widget_remove_css_class (row->status, "dim-label");
  gtk_widget_set_visible (row->progress, status == TESSERA_BATCH_ITEM_RUNNING);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (row->progress), tessera_batch_item_get_progress (batch_item));
}

static void
load_thumbnail (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autofree char *path = g_file_get_path (tessera_batch_item_get_file (source));
  g_autoptr(GdkPixbuf) pixbuf = path != NULL ? gdk_pixbuf_new_from_file_at_scale (path, THUMBNAIL_SIZE * 2,
                                                                                   THUMBNAIL_SIZE * 2, TRUE, NULL)
                                             : NULL;

  g_task_return_pointer (task, pixbuf != NULL ? gdk_texture_new_for_pixbuf (pixbuf) : NULL, g_object_unref);
}

/* The item's thumbnail, or an icon while it loads or when the image
 * cannot be read. */
static void
show_thumbnail (GtkListItem *item)
{
  TesseraBatchItem *batch_item = gtk_list_item_get_item (item);
  GtkImage *image = GTK_IMAGE (item_row (item)->thumbnail);
  GdkPaintable *thumbnail = g_object_get_data (G_OBJECT (batch_item), "tessera-thumbnail");

  if (thumbnail != NULL)
    gtk_image_set_from_paintable (image, thumbnail);
  else
    gtk_image_set_from_icon_name (image, "image-x-generic-symbolic");
}

/* The thumbnail is kept on the item, for the rows it scrolls into. */
static void
on_thumbnail_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GtkListItem) item = user_data;
  GdkTexture *texture = g_task_propagate_pointer (G_TASK (result), NULL);

  if (texture != NULL)
    g_object_set_data_full (source, "tessera-thumbnail", texture, g_object_unref);
  if (gtk_list_item_get_item (item) == source && gtk_list_item_get_child (item) != NULL)
    show_thumbnail (item);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  TesseraBatchItem *batch_item = gtk_list_item_get_item (item);
  Row *row = item_row (item);

  gtk_label_set_label (GTK_LABEL (row->name), tessera_batch_item_get_name (batch_item));
  show_thumbnail (item);
  if (g_object_get_data (G_OBJECT (batch_item), "tessera-thumbnail-asked") == NULL)
    {
      g_autoptr(GTask) task = g_task_new (batch_item, NULL, on_thumbnail_loaded, g_object_ref (item));

      g_object_set_data (G_OBJECT (batch_item), "tessera-thumbnail-asked", GINT_TO_POINTER (TRUE));
      g_task_run_in_thread (task, load_thumbnail);
    }

  g_signal_connect_swapped (batch_item, "notify::status", G_CALLBACK (show_item), item);
  g_signal_connect_swapped (batch_item, "notify::progress", G_CALLBACK (show_item), item);
  g_signal_connect_swapped (batch_item, "notify::error", G_CALLBACK (show_item), item);
  show_item (item);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  g_signal_handlers_disconnect_by_data (gtk_list_item_get_item (item), item);
}

/* The view. */

static void
update_controls (TesseraBatchView *self)
{
  TesseraBatchState state = tessera_batch_get_state (self->batch);
  guint n_items = g_list_model_get_n_items (tessera_batch_get_items (self->batch));
  guint waiting = tessera_batch_get_n_waiting (self->batch);
  g_autofree char *text = NULL;

  gtk_stack_set_visible_child_name (GTK_STACK (self->content), n_items > 0 ? "list" : "empty");
  gtk_widget_set_sensitive (self->start_button, state == TESSERA_BATCH_IDLE && waiting > 0);
  gtk_widget_set_sensitive (self->pause_button, state != TESSERA_BATCH_IDLE);
  gtk_widget_set_sensitive (self->cancel_button, state != TESSERA_BATCH_IDLE);
  gtk_button_set_label (GTK_BUTTON (self->pause_button), state == TESSERA_BATCH_PAUSED ? _("_Resume") : _("_Pause"));

  /* Translators: the batch's counts of images. */
  text = g_strdup_printf (_("%u done, %u failed, %u skipped, %u waiting"), tessera_batch_get_n_done (self->batch),
                          tessera_batch_get_n_failed (self->batch), tessera_batch_get_n_skipped (self->batch),
                          waiting);
  gtk_label_set_label (GTK_LABEL (self->summary), text);
}

static void
show_output_folder (TesseraBatchView *self)
{
  g_autofree char *name = self->output_folder != NULL ? g_file_get_basename (self->output_folder) : NULL;
  g_autofree char *path = self->output_folder != NULL ? g_file_get_path (self->output_folder) : NULL;

  gtk_button_set_label (GTK_BUTTON (self->folder_button), name != NULL ? name : _("Beside Each Image"));
  gtk_widget_set_tooltip_text (self->folder_button, path);
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
on_folder_chosen (GtkNativeDialog  *dialog,
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
choose_output_folder (TesseraBatchView *self)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Choose Where Results Go"), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_images_chosen (GtkNativeDialog  *dialog,
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
  g_signal_connect (dialog, "response", G_CALLBACK (on_images_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
add_images_clicked (TesseraBatchView *self)
{
  add_images (self, FALSE);
}

static void
add_folder_clicked (TesseraBatchView *self)
{
  add_images (self, TRUE);
}

static void
clear_finished_clicked (TesseraBatchView *self)
{
  tessera_batch_remove_finished (self->batch);
}

static void
pause_clicked (TesseraBatchView *self)
{
  if (tessera_batch_get_state (self->batch) == TESSERA_BATCH_PAUSED)
    tessera_batch_resume (self->batch);
  else
    tessera_batch_pause (self->batch);
}

static void
cancel_clicked (TesseraBatchView *self)
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
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (tessera_batch_view_parent_class)->dispose (object);
}

static void
tessera_batch_view_class_init (TesseraBatchViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tessera_batch_view_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static GtkWidget *
labelled (const char *mnemonic,
          GtkWidget  *widget)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  return box;
}

static GtkWidget *
button (const char *mnemonic,
        GCallback   clicked,
        gpointer    data)
{
  GtkWidget *widget = gtk_button_new_with_mnemonic (mnemonic);

  g_signal_connect_swapped (widget, "clicked", clicked, data);
  return widget;
}

static void
tessera_batch_view_init (TesseraBatchView *self)
{
  GtkWidget *toolbar, *options, *actions, *scrolled, *empty;
  GtkListItemFactory *factory;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  toolbar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (toolbar, "toolbar");
  {
    GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");

    gtk_widget_set_tooltip_text (back, _("Back to the Image"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "win.show-image");
    gtk_widget_add_css_class (back, "flat");
    gtk_box_append (GTK_BOX (toolbar), back);
  }
  gtk_box_append (GTK_BOX (toolbar), button (_("Add _Images…"), G_CALLBACK (add_images_clicked), self));
  gtk_box_append (GTK_BOX (toolbar), button (_("Add _Folder…"), G_CALLBACK (add_folder_clicked), self));
  self->recursive_check = gtk_check_button_new_with_mnemonic (_("Include _subfolders"));
  gtk_box_append (GTK_BOX (toolbar), self->recursive_check);
  self->summary = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->summary, "dim-label");
  gtk_widget_set_hexpand (self->summary, TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->summary), 1.f);
  gtk_box_append (GTK_BOX (toolbar), self->summary);
  gtk_box_append (GTK_BOX (toolbar), button (_("C_lear Finished"), G_CALLBACK (clear_finished_clicked), self));
  gtk_box_append (GTK_BOX (self->box), toolbar);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  self->list_view = gtk_list_view_new (NULL, factory);
  gtk_widget_add_css_class (self->list_view, "rich-list");
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->list_view);
  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "folder-pictures-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("Drop Images or a Folder Here"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("They are upscaled one after another with the upscaler and choices on the right"));
  self->content = gtk_stack_new ();
  gtk_stack_add_named (GTK_STACK (self->content), empty, "empty");
  gtk_stack_add_named (GTK_STACK (self->content), scrolled, "list");
  gtk_widget_set_vexpand (self->content, TRUE);
  gtk_box_append (GTK_BOX (self->box), self->content);
  gtk_box_append (GTK_BOX (self->box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  options = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (options), GTK_SELECTION_NONE);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (options), 18);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (options), 6);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (options), 6);
  gtk_widget_set_margin_start (options, 12);
  gtk_widget_set_margin_end (options, 12);
  gtk_widget_set_margin_top (options, 12);
  self->folder_button = button ("", G_CALLBACK (choose_output_folder), self);
  gtk_flow_box_append (GTK_FLOW_BOX (options), labelled (_("_Output to"), self->folder_button));
  self->pattern_entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->pattern_entry), TESSERA_DEFAULT_NAME_PATTERN);
  gtk_widget_set_tooltip_text (self->pattern_entry,
                               _("{name}: the image's name; {upscaler}; {scale}, such as x4; {ext}: the format's extension"));
  gtk_editable_set_width_chars (GTK_EDITABLE (self->pattern_entry), 28);
  gtk_flow_box_append (GTK_FLOW_BOX (options), labelled (_("_Names"), self->pattern_entry));
  self->format_dropdown = gtk_drop_down_new_from_strings ((const char *[]) { "PNG", "JPEG", "WebP", NULL });
  gtk_flow_box_append (GTK_FLOW_BOX (options), labelled (_("F_ormat"), self->format_dropdown));
  self->quality_spin = gtk_spin_button_new_with_range (1, 100, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->quality_spin), 92);
  gtk_widget_set_tooltip_text (self->quality_spin, _("For JPEG and WebP"));
  gtk_flow_box_append (GTK_FLOW_BOX (options), labelled (_("_Quality"), self->quality_spin));
  self->skip_check = gtk_check_button_new_with_mnemonic (_("S_kip images whose output exists"));
  gtk_flow_box_append (GTK_FLOW_BOX (options), self->skip_check);
  gtk_box_append (GTK_BOX (self->box), options);

  actions = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (actions, GTK_ALIGN_END);
  gtk_widget_set_margin_start (actions, 12);
  gtk_widget_set_margin_end (actions, 12);
  gtk_widget_set_margin_top (actions, 12);
  gtk_widget_set_margin_bottom (actions, 12);
  self->cancel_button = button (_("_Cancel"), G_CALLBACK (cancel_clicked), self);
  self->pause_button = button (_("_Pause"), G_CALLBACK (pause_clicked), self);
  self->start_button = gtk_button_new_with_mnemonic (_("_Start Batch"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_button), "win.start-batch");
  gtk_widget_add_css_class (self->start_button, "suggested-action");
  gtk_box_append (GTK_BOX (actions), self->cancel_button);
  gtk_box_append (GTK_BOX (actions), self->pause_button);
  gtk_box_append (GTK_BOX (actions), self->start_button);
  gtk_box_append (GTK_BOX (self->box), actions);

  show_output_folder (self);
}

/**
 * tessera_batch_view_new:
 * @engine: what runs the images
 * @settings: (nullable): the output defaults to show and keep
 */
GtkWidget *
tessera_batch_view_new (TesseraEngine *engine,
                        GSettings     *settings)
{
  TesseraBatchView *self = g_object_new (TESSERA_TYPE_BATCH_VIEW, NULL);
  GListModel *items;

  self->batch = tessera_batch_new (engine);
  items = tessera_batch_get_items (self->batch);
  gtk_list_view_set_model (GTK_LIST_VIEW (self->list_view),
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (items))));
  g_signal_connect_object (items, "items-changed", G_CALLBACK (update_controls), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->batch, "notify", G_CALLBACK (update_controls), self, G_CONNECT_SWAPPED);

  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_settings_bind (settings, "name-pattern", self->pattern_entry, "text", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "output-quality", self->quality_spin, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "skip-existing", self->skip_check, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "batch-recursive", self->recursive_check, "active", G_SETTINGS_BIND_DEFAULT);
      {
        g_autofree char *format = g_settings_get_string (settings, "output-format");

        for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
          if (g_str_equal (format, format_names[i]))
            gtk_drop_down_set_selected (GTK_DROP_DOWN (self->format_dropdown), i);
      }
    }
  update_controls (self);
  return GTK_WIDGET (self);
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

  recursive = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->recursive_check));
  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr(GError) error = NULL;

      if (g_file_query_file_type (files[i], G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
        tessera_batch_add_file (self->batch, files[i]);
      else if (!tessera_batch_add_folder (self->batch, files[i], recursive, &error))
        gtk_label_set_label (GTK_LABEL (self->summary), error->message);
    }
}

/**
 * tessera_batch_view_start:
 * @options: the upscaler and its choices; the format and quality are the
 *   view's
 * @upscaler_label: the upscaler as output names show it
 *
 * Starts the images waiting, or fails, saying why (a bad name pattern).
 */
gboolean
tessera_batch_view_start (TesseraBatchView      *self,
                          TesseraUpscaleOptions *options,
                          const char            *upscaler_label,
                          GError               **error)
{
  g_autoptr(TesseraUpscaleOptions) copy = NULL;
  const char *pattern;
  guint format;

  g_return_val_if_fail (TESSERA_IS_BATCH_VIEW (self), FALSE);

  copy = tessera_upscale_options_copy (options);
  format = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->format_dropdown));
  tessera_upscale_options_set_format (copy, format == 1 ? TESSERA_IMAGE_FORMAT_JPEG
                                            : format == 2 ? TESSERA_IMAGE_FORMAT_WEBP
                                                          : TESSERA_IMAGE_FORMAT_PNG);
  tessera_upscale_options_set_quality (copy, gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->quality_spin)));
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "output-format", format_names[MIN (format, 2u)]);

  pattern = gtk_editable_get_text (GTK_EDITABLE (self->pattern_entry));
  tessera_batch_set_options (self->batch, copy);
  tessera_batch_set_upscaler_label (self->batch, upscaler_label);
  tessera_batch_set_output_folder (self->batch, self->output_folder);
  tessera_batch_set_name_pattern (self->batch, pattern[0] != '\0' ? pattern : NULL);
  tessera_batch_set_existing (self->batch, gtk_check_button_get_active (GTK_CHECK_BUTTON (self->skip_check))
                                           ? TESSERA_BATCH_EXISTING_SKIP : TESSERA_BATCH_EXISTING_REPLACE);
  tessera_batch_set_keep_metadata (self->batch, self->settings == NULL ||
                                                g_settings_get_boolean (self->settings, "keep-metadata"));
  return tessera_batch_start (self->batch, error);
}
