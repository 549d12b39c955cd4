/* tessera-redraw-networks.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-redraw-networks"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-redraw-private.h"

/* Where the redraw meets the Stable Diffusion networks (the text encoder,
 * the UNet, the VAE). They are not part of the engine yet: until they
 * are, loading them says so and a redraw stops before any work. */

static gpointer
sd_load (TesseraCheckpoint     *checkpoint,
         TesseraRedrawOptions  *options,
         GCancellable          *cancellable,
         GError               **error)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
               _("This version of Tessera cannot run the networks of “%s” yet"),
               tessera_checkpoint_get_name (checkpoint));
  return NULL;
}

const TesseraRedrawNetworks tessera_redraw_sd_networks = {
  .load = sd_load,
};
