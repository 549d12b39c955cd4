/* tessera-progress.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-progress"

#include "config.h"

#include "tessera-progress-private.h"

/* A report on its way to the caller's context: progress, or a tile
 * when tile_func is set. */
typedef struct
{
  TesseraProgressFunc func;
  gpointer            user_data;
  double              fraction;
  char               *text;
} Update;

static void
update_free (gpointer data)
{
  Update *update = data;

  g_free (update->text);
  g_free (update);
}

void
tessera_progress_init (TesseraProgress     *self,
                       TesseraProgressFunc  func,
                       gpointer             user_data)
{
  *self = (TesseraProgress) { func, NULL, user_data, NULL, -1.0, NULL };
}

/* For work in a worker thread: reports reach the thread-default main
 * context of the thread calling this, in order. */
void
tessera_progress_init_deferred (TesseraProgress     *self,
                                TesseraProgressFunc  func,
                                gpointer             user_data)
{
  tessera_progress_init (self, func, user_data);
  self->context = g_main_context_ref_thread_default ();
}

/* Tiles go to @tile_func, with the same user data and in order with the
 * progress. */
void
tessera_progress_clear (TesseraProgress *self)
{
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->last_text, g_free);
}

static gboolean
deliver_update (gpointer data)
{
  Update *update = data;

  update->func (update->fraction, update->text, update->user_data);
  return G_SOURCE_REMOVE;
}

/* Calls @deliver with @data in the caller's thread: now, or from its main
 * context when the work runs in a worker; then @destroy frees @data. */
void
tessera_progress_post (TesseraProgress *self,
                       GSourceFunc      deliver,
                       gpointer         data,
                       GDestroyNotify   destroy)
{
  GSource *source;

  if (self->context == NULL)
    {
      deliver (data);
      destroy (data);
      return;
    }

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver, data, destroy);
  g_source_set_static_name (source, "[tessera] progress");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

void
tessera_progress_report (TesseraProgress *self,
                         double           fraction,
                         const char      *text)
{
  Update *update;

  if (self->func == NULL)
    return;

  if (g_strcmp0 (text, self->last_text) == 0 && fraction < 1.0 && fraction - self->last_fraction < 0.005)
    return;

  self->last_fraction = fraction;
  if (g_strcmp0 (text, self->last_text) != 0)
    {
      g_free (self->last_text);
      self->last_text = g_strdup (text);
    }

  if (self->context == NULL)
    {
      self->func (fraction, text, self->user_data);
      return;
    }

  update = g_new0 (Update, 1);
  update->func = self->func;
  update->user_data = self->user_data;
  update->fraction = fraction;
  update->text = g_strdup (text);
  tessera_progress_post (self, deliver_update, update, update_free);
}
