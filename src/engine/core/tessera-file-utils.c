/* tessera-file-utils.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-file-utils"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>

#include "tessera-error.h"
#include "tessera-file-utils-private.h"

struct _TesseraOutputFile
{
  char          *path;
  char          *tmp_path;
  char          *name;
  GOutputStream *fd_stream;
  GOutputStream *stream;
  gboolean       committed;
};

/* The name to show a person: the file's basename, in UTF-8. */
char *
tessera_file_dup_display_name (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);

  if (basename == NULL)
    return g_file_get_parse_name (file);

  return g_filename_display_name (basename);
}

/* GIO's messages repeat the full path; ours name the file once, then the cause. */
void
tessera_file_set_io_error (GError       **error,
                           GFile         *file,
                           const GError  *io_error)
{
  g_autofree char *name = tessera_file_dup_display_name (file);
  const char *cause = io_error->message;

  if (io_error->domain == G_IO_ERROR)
    {
      switch (io_error->code)
        {
        case G_IO_ERROR_NOT_FOUND:
          cause = _("no such file or folder");
          break;
        case G_IO_ERROR_IS_DIRECTORY:
          cause = _("is a folder, not a file");
          break;
        case G_IO_ERROR_PERMISSION_DENIED:
          cause = _("permission denied");
          break;
        case G_IO_ERROR_NO_SPACE:
          cause = _("no space left on the device");
          break;
        case G_IO_ERROR_READ_ONLY:
          cause = _("the file system is read-only");
          break;
        case G_IO_ERROR_CANCELLED:
          cause = _("cancelled");
          break;
        default:
          break;
        }
    }

  g_set_error (error, io_error->domain, io_error->code, "%s: %s", name, cause);
}

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...) G_GNUC_PRINTF (3, 4);

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  g_autofree char *prefix = NULL;
  va_list args;

  va_start (args, format);
  prefix = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s: %s", prefix, g_strerror (saved_errno));
}

TesseraOutputFile *
tessera_output_file_open (GFile   *file,
                          GError **error)
{
  g_autoptr(TesseraOutputFile) self = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  const char *path;
  int fd;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_new0 (TesseraOutputFile, 1);
  self->name = tessera_file_dup_display_name (file);

  path = g_file_peek_path (file);
  if (path == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: Tessera can only write to local files"), self->name);
      return NULL;
    }

  self->path = g_strdup (path);
  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  self->tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);

  fd = g_mkstemp_full (self->tmp_path, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *dir_name = g_filename_display_name (dir);

      g_clear_pointer (&self->tmp_path, g_free);
      set_errno_error (error, saved_errno, _("%s: cannot write in the folder %s"),
                       self->name, dir_name);
      return NULL;
    }

  self->fd_stream = g_unix_output_stream_new (fd, TRUE);
  self->stream = g_buffered_output_stream_new_sized (self->fd_stream, 1 << 18);

  return g_steal_pointer (&self);
}

GOutputStream *
tessera_output_file_get_stream (TesseraOutputFile *self)
{
  return self->stream;
}

/* The temporary file's descriptor, open for reading and writing, for a
 * writer that seeks (libtiff); such a writer leaves the stream alone. */
int
tessera_output_file_get_fd (TesseraOutputFile *self)
{
  return g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (self->fd_stream));
}

gboolean
tessera_output_file_commit (TesseraOutputFile  *self,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  int fd;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->committed, FALSE);

  if (!g_output_stream_flush (self->stream, cancellable, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", self->name);
      return FALSE;
    }

  /* The data must be on disk before the rename makes it the file's content. */
  fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (self->fd_stream));
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      set_errno_error (error, errno, "%s", self->name);
      return FALSE;
    }

  if (!g_output_stream_close (self->stream, cancellable, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", self->name);
      return FALSE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (g_rename (self->tmp_path, self->path) != 0)
    {
      set_errno_error (error, errno, _("%s: cannot replace the file"), self->name);
      return FALSE;
    }

  self->committed = TRUE;
  return TRUE;
}

/* Frees the output; unless it was committed, its temporary file is removed. */
void
tessera_output_file_free (TesseraOutputFile *self)
{
  if (self == NULL)
    return;

  if (self->stream != NULL && !g_output_stream_is_closed (self->stream))
    g_output_stream_close (self->stream, NULL, NULL);

  if (!self->committed && self->tmp_path != NULL)
    g_unlink (self->tmp_path);

  g_clear_object (&self->stream);
  g_clear_object (&self->fd_stream);
  g_free (self->path);
  g_free (self->tmp_path);
  g_free (self->name);
  g_free (self);
}

/* The whole of @file, mapped when it is local, read when it is not;
 * errors name the file. */
GBytes *
tessera_file_map (GFile         *file,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  const char *path = g_file_peek_path (file);
  GBytes *bytes;

  if (path != NULL)
    {
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GError) folder_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "");

          tessera_file_set_io_error (error, file, folder_error);
          return NULL;
        }
      mapped = g_mapped_file_new (path, FALSE, &local_error);
      if (mapped == NULL)
        {
          g_autoptr(GError) io_error = g_error_new_literal (G_IO_ERROR,
                                                            g_io_error_from_file_error (local_error->code),
                                                            local_error->message);

          tessera_file_set_io_error (error, file, io_error);
          return NULL;
        }
      return g_mapped_file_get_bytes (mapped);
    }

  bytes = g_file_load_bytes (file, cancellable, NULL, &local_error);
  if (bytes == NULL)
    tessera_file_set_io_error (error, file, local_error);
  return bytes;
}
