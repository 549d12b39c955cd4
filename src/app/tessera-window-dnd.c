/* tessera-window-dnd.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-texture.h"
#include "tessera-window-private.h"

/* What is dropped on the window or pasted into it, and the result
 * copied out: files, folders and models dropped anywhere on the window,
 * and pixels, dropped or from the clipboard. */

/* Images dropped or pasted as pixels, through the engine's own reading
 * of 8-bit pixels. */
static TesseraImage *
image_from_texture (GdkTexture *texture)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_get_from_texture (texture);

  return tessera_image_new_from_pixbuf (pixbuf, NULL);
}

static void
tessera_window_clipboard_read_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result, &error);
  g_autoptr(TesseraImage) image = NULL;

  if (texture == NULL)
    {
      _tessera_window_toast (self, _("The clipboard holds no image"));
      return;
    }
  image = image_from_texture (texture);
  if (image == NULL)
    {
      _tessera_window_toast (self, _("The pasted image is too large"));
      return;
    }
  _tessera_window_show_input (self, image, NULL);
}

void
_tessera_window_copy (TesseraWindow *self)
{
  g_autoptr(GdkTexture) texture = NULL;

  if (self->output == NULL)
    return;

  /* Whole, not the view's texture, which is reduced for large results. */
  texture = tessera_texture_new_for_image (self->output);
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (self)), texture);
  _tessera_window_toast (self, _("Result copied"));
}

/* The hint shows while something is dragged over the window. */
static void
tessera_window_drop_hover_cb (GtkDropTarget *target,
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

/* One image opens; model files are imported; several images, or a
 * folder, go to the batch. */
static void
open_files (TesseraWindow *self,
            GSList        *files)
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
      _tessera_window_show_batch (self);
    }
}

static void
tessera_window_clipboard_files_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (source), result, &error);

  if (value == NULL || g_value_get_boxed (value) == NULL)
    {
      _tessera_window_toast (self, _("The clipboard holds no image"));
      return;
    }
  open_files (self, g_value_get_boxed (value));
}

/* Files copied in a file manager open as dropped ones do (animations and
 * videos among them); pixels open as an image. */
void
_tessera_window_paste (TesseraWindow *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));

  if (gdk_content_formats_contain_gtype (gdk_clipboard_get_formats (clipboard), GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT, NULL,
                                    tessera_window_clipboard_files_cb, g_object_ref (self));
  else
    gdk_clipboard_read_texture_async (clipboard, NULL, tessera_window_clipboard_read_cb, g_object_ref (self));
}

static gboolean
tessera_window_drop_cb (GtkDropTarget *target,
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
      _tessera_window_show_input (self, image, NULL);
    }
  else
    return FALSE;
  return TRUE;
}

/* Anywhere on the window. */
void
_tessera_window_dnd_init (TesseraWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);

  gtk_drop_target_set_gtypes (drop, (GType[]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE, GDK_TYPE_TEXTURE }, 3);
  g_signal_connect (drop, "drop", G_CALLBACK (tessera_window_drop_cb), self);
  g_signal_connect (drop, "notify::current-drop", G_CALLBACK (tessera_window_drop_hover_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
