/* tessera-media-folder.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-media"

#include "config.h"

#include <string.h>

#include <libavformat/avformat.h>

#include "image/tessera-image-private.h"
#include "tessera-media-private.h"

/* What a folder given as input stands for: its images, and its
 * animations and videos. Animated GIF, PNG and WebP files have image
 * names already; videos are known by their containers' extensions, and a
 * file with any other name by a look at its first bytes, never by
 * opening its streams, so that listing a large folder stays quick. */

#define PROBE_BYTES 4096

static const char * const video_extensions[] = {
  ".mp4", ".m4v", ".mkv", ".webm", ".mov", ".avi", ".mpg", ".mpeg", ".ts", ".m2ts", ".mts",
  ".ogv", ".flv", ".wmv", ".3gp", ".nut", ".apng",
};

/* FFmpeg's demuxers of containers that hold video; the others (audio,
 * subtitles, playlists, raw streams) are no input for Tessera. */
static const char * const video_demuxers[] = {
  "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", "mpegts", "mpeg", "flv", "asf", "nut", "ivf", "apng",
};

/**
 * tessera_media_is_video_name:
 * @name: a file's name or path
 *
 * Returns: whether @name ends in the extension of a video container
 */
gboolean
tessera_media_is_video_name (const char *name)
{
  g_autofree char *folded = NULL;

  g_return_val_if_fail (name != NULL, FALSE);

  folded = g_ascii_strdown (name, -1);
  for (guint i = 0; i < G_N_ELEMENTS (video_extensions); i++)
    if (g_str_has_suffix (folded, video_extensions[i]))
      return TRUE;
  return FALSE;
}

/* FFmpeg's guess from the first bytes alone, sure enough to go by. */
static gboolean
starts_like_video (GFile *file)
{
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, NULL);
  guint8 buffer[PROBE_BYTES + AVPROBE_PADDING_SIZE] = { 0 };
  AVProbeData probe = { .filename = "", .buf = buffer };
  const AVInputFormat *format;
  gsize size;
  /* Above a quarter of the maximum, FFmpeg itself would not look further. */
  int score = AVPROBE_SCORE_MAX / 4;

  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, PROBE_BYTES, &size, NULL, NULL) || size == 0)
    return FALSE;

  tessera_media_init ();
  probe.buf_size = (int) size;
  format = av_probe_input_format2 (&probe, TRUE, &score);
  if (format == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (video_demuxers); i++)
    if (g_str_equal (format->name, video_demuxers[i]))
      return TRUE;
  return FALSE;
}

static gboolean
accept_file (GFile      *folder,
             const char *relative,
             gpointer    user_data)
{
  g_autoptr(GFile) file = NULL;

  if (tessera_image_is_image_name (relative) || tessera_media_is_video_name (relative))
    return TRUE;

  file = g_file_resolve_relative_path (folder, relative);
  return starts_like_video (file);
}

/**
 * tessera_media_list_folder:
 * @folder: a folder
 * @recursive: whether to look in its subfolders too
 * @error: return location for a #GError
 *
 * As tessera_image_list_folder(), with the folder's videos too: files
 * named as a video container is, and files of other names whose first
 * bytes FFmpeg takes for one.
 *
 * Returns: (transfer full) (element-type utf8): their paths relative to
 *   @folder, possibly none; %NULL with @error set when a folder cannot be
 *   read
 */
GPtrArray *
tessera_media_list_folder (GFile     *folder,
                           gboolean   recursive,
                           GError   **error)
{
  g_return_val_if_fail (G_IS_FILE (folder), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return tessera_image_list_folder_filtered (folder, recursive, accept_file, NULL, error);
}
