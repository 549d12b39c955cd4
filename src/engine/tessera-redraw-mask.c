/* tessera-redraw-mask.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-redraw-mask"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tessera-redraw-mask-private.h"

/* The masks of a tiled redraw are 8-bit images in A1111 and the Ultimate
 * SD Upscale extension, made with Pillow and OpenCV. Which pixels a job
 * may change and which latent pixels it redraws depend on every rounding
 * they do, so these routines do the same integer arithmetic: Pillow's
 * resampling (Resample.c: fixed point with 22 fractional bits, rounded and
 * clamped after each pass) and OpenCV's bit-exact Gaussian blur of 8-bit
 * images (8 fractional bits). The float variant is Pillow's "F" mode,
 * which the crops of the image go through. */

#define PIL_PRECISION_BITS (32 - 8 - 2)

typedef struct
{
  guint   size;
  int    *first;
  int    *count;
  double *weights;
} Coefficients;

static double
bicubic_filter (double x)
{
  const double a = -0.5;

  if (x < 0.0)
    x = -x;
  if (x < 1.0)
    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0)
    return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

static double
sinc_filter (double x)
{
  if (x == 0.0)
    return 1.0;
  x = x * G_PI;
  return sin (x) / x;
}

static double
lanczos_filter (double x)
{
  if (-3.0 <= x && x < 3.0)
    return sinc_filter (x) * sinc_filter (x / 3.0);
  return 0.0;
}

/* Pillow's precompute_coeffs() */
static void
coefficients_init (Coefficients      *self,
                   guint              in_size,
                   double             in0,
                   double             in1,
                   guint              out_size,
                   TesseraMaskFilter  filter)
{
  double (*func) (double) = filter == TESSERA_MASK_FILTER_BICUBIC ? bicubic_filter : lanczos_filter;
  double support = filter == TESSERA_MASK_FILTER_BICUBIC ? 2.0 : 3.0;
  double scale = (in1 - in0) / out_size;
  double filterscale = MAX (scale, 1.0);

  support *= filterscale;
  self->size = (guint) ceil (support) * 2 + 1;
  self->first = g_new (int, out_size);
  self->count = g_new (int, out_size);
  self->weights = g_new0 (double, (gsize) out_size * self->size);

  for (guint xx = 0; xx < out_size; xx++)
    {
      double center = in0 + (xx + 0.5) * scale;
      double *k = self->weights + (gsize) xx * self->size;
      double ww = 0.0;
      int xmin = (int) (center - support + 0.5);
      int xmax = (int) (center + support + 0.5);

      if (xmin < 0)
        xmin = 0;
      if (xmax > (int) in_size)
        xmax = in_size;
      xmax -= xmin;
      for (int x = 0; x < xmax; x++)
        {
          k[x] = func ((x + xmin - center + 0.5) / filterscale);
          ww += k[x];
        }
      for (int x = 0; x < xmax && ww != 0.0; x++)
        k[x] /= ww;
      self->first[xx] = xmin;
      self->count[xx] = MAX (xmax, 0);
    }
}

static void
coefficients_clear (Coefficients *self)
{
  g_free (self->first);
  g_free (self->count);
  g_free (self->weights);
}

static int *
coefficients_fixed (const Coefficients *self,
                    guint               out_size)
{
  gsize n = (gsize) out_size * self->size;
  int *fixed = g_new (int, n);

  for (gsize i = 0; i < n; i++)
    {
      double w = self->weights[i] * (1 << PIL_PRECISION_BITS);

      fixed[i] = (int) (self->weights[i] < 0 ? -0.5 + w : 0.5 + w);
    }
  return fixed;
}

static inline guint8
clip8 (int value)
{
  value >>= PIL_PRECISION_BITS;
  return CLAMP (value, 0, 255);
}

/*
 * tessera_mask_resize_u8:
 * @box: the source region, x0, y0, x1, y1, as Pillow's resize() takes it
 *
 * An 8-bit plane resized as Pillow's Image.resize() resizes an "L" image,
 * to the bit.
 */
void
tessera_mask_resize_u8 (const guint8      *in,
                        guint              width,
                        guint              height,
                        const double       box[4],
                        guint8            *out,
                        guint              out_width,
                        guint              out_height,
                        TesseraMaskFilter  filter)
{
  gboolean horizontal = out_width != width || box[0] != 0 || box[2] != out_width;
  gboolean vertical = out_height != height || box[1] != 0 || box[3] != out_height;
  Coefficients cx, cy;
  g_autofree int *kx = NULL;
  g_autofree int *ky = NULL;
  g_autofree guint8 *temp = NULL;
  const guint8 *source = in;
  guint source_width = width;
  int first_row, last_row;

  coefficients_init (&cx, width, box[0], box[2], out_width, filter);
  coefficients_init (&cy, height, box[1], box[3], out_height, filter);
  kx = coefficients_fixed (&cx, out_width);
  ky = coefficients_fixed (&cy, out_height);
  first_row = cy.first[0];
  last_row = cy.first[out_height - 1] + cy.count[out_height - 1];

  if (horizontal)
    {
      temp = g_new (guint8, (gsize) out_width * MAX (last_row - first_row, 1));
      for (int y = first_row; y < last_row; y++)
        for (guint xx = 0; xx < out_width; xx++)
          {
            const int *k = kx + (gsize) xx * cx.size;
            const guint8 *row = in + (gsize) y * width + cx.first[xx];
            int ss = 1 << (PIL_PRECISION_BITS - 1);

            for (int x = 0; x < cx.count[xx]; x++)
              ss += row[x] * k[x];
            temp[(gsize) (y - first_row) * out_width + xx] = clip8 (ss);
          }
      source = temp;
      source_width = out_width;
    }
  else
    first_row = 0;

  if (vertical)
    {
      for (guint yy = 0; yy < out_height; yy++)
        {
          const int *k = ky + (gsize) yy * cy.size;
          int top = cy.first[yy] - first_row;

          for (guint x = 0; x < out_width; x++)
            {
              int ss = 1 << (PIL_PRECISION_BITS - 1);

              for (int y = 0; y < cy.count[yy]; y++)
                ss += source[(gsize) (top + y) * source_width + x] * k[y];
              out[(gsize) yy * out_width + x] = clip8 (ss);
            }
        }
    }
  else
    {
      for (guint y = 0; y < out_height; y++)
        memcpy (out + (gsize) y * out_width, source + (gsize) (y + (horizontal ? 0 : 0)) * source_width, out_width);
    }
  coefficients_clear (&cx);
  coefficients_clear (&cy);
}

/* The same for a float plane, as Pillow resizes an "F" image: no rounding
 * and no clamping between the passes. */
void
tessera_mask_resize_float (const float       *in,
                           guint              width,
                           guint              height,
                           const double       box[4],
                           float             *out,
                           guint              out_width,
                           guint              out_height,
                           TesseraMaskFilter  filter)
{
  Coefficients cx, cy;
  g_autofree float *temp = NULL;
  int first_row, last_row;

  coefficients_init (&cx, width, box[0], box[2], out_width, filter);
  coefficients_init (&cy, height, box[1], box[3], out_height, filter);
  first_row = cy.first[0];
  last_row = cy.first[out_height - 1] + cy.count[out_height - 1];

  temp = g_new (float, (gsize) out_width * MAX (last_row - first_row, 1));
  for (int y = first_row; y < last_row; y++)
    for (guint xx = 0; xx < out_width; xx++)
      {
        const double *k = cx.weights + (gsize) xx * cx.size;
        const float *row = in + (gsize) y * width + cx.first[xx];
        double ss = 0.0;

        for (int x = 0; x < cx.count[xx]; x++)
          ss += row[x] * k[x];
        temp[(gsize) (y - first_row) * out_width + xx] = ss;
      }
  for (guint yy = 0; yy < out_height; yy++)
    {
      const double *k = cy.weights + (gsize) yy * cy.size;
      int top = cy.first[yy] - first_row;

      for (guint x = 0; x < out_width; x++)
        {
          double ss = 0.0;

          for (int y = 0; y < cy.count[yy]; y++)
            ss += temp[(gsize) (top + y) * out_width + x] * k[y];
          out[(gsize) yy * out_width + x] = ss;
        }
    }
  coefficients_clear (&cx);
  coefficients_clear (&cy);
}

/* OpenCV's getGaussianKernelBitExact() and the error-diffused rounding of
 * getGaussianKernelFixedPoint_ED(): weights in 1/256 that add up to 256. */
static int *
gaussian_kernel (guint  size,
                 double sigma)
{
  guint half = (size - 1) / 2;
  g_autofree double *values = g_new (double, half + 1);
  int *kernel = g_new (int, size);
  double scale = -0.125 / (sigma * sigma);
  double sum = 0.0, err = 0.0;
  int total = 0;

  for (guint i = 0; i < half; i++)
    {
      int x = (int) (2 * i) + 1 - (int) size;

      values[i] = exp ((double) (x * x) * scale);
      sum += values[i];
    }
  sum = sum * 2 + 1.0;
  for (guint i = 0; i < half; i++)
    {
      double adjusted = values[i] / sum * 256 + err;
      int v = (int) nearbyint (adjusted);

      err = adjusted - v;
      kernel[i] = kernel[size - 1 - i] = v;
      total += v;
    }
  kernel[half] = 256 - 2 * total;
  return kernel;
}

/* index into [0, n) with OpenCV's BORDER_REFLECT_101 */
static inline int
reflect_101 (int i,
             int n)
{
  if (n == 1)
    return 0;
  while (i < 0 || i >= n)
    i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}

static void
blur_lines (guint8     *data,
            guint       length,
            guint       n_lines,
            gsize       step,
            gsize       line_step,
            const int  *kernel,
            guint       size)
{
  int radius = size / 2;
  g_autofree guint8 *line = g_new (guint8, length);

  for (guint l = 0; l < n_lines; l++)
    {
      guint8 *p = data + l * line_step;

      for (guint i = 0; i < length; i++)
        line[i] = p[i * step];
      for (guint i = 0; i < length; i++)
        {
          int sum = 0;

          for (int k = 0; k < (int) size; k++)
            sum += kernel[k] * line[reflect_101 ((int) i + k - radius, length)];
          /* the row pass leaves 8 fractional bits, the column pass (a
           * kernel of one tap, 256) 8 more, rounded back to a byte */
          p[i * step] = MIN (((gint64) sum * 256 + 32768) >> 16, 255);
        }
    }
}

/*
 * tessera_mask_blur:
 *
 * A1111's mask blur (processing.py): cv2.GaussianBlur() along the rows
 * with a kernel of 2·int(2.5σ + 0.5) + 1 taps, then along the columns,
 * each rounded to 8 bits, the border reflected without repeating the
 * edge.
 */
void
tessera_mask_blur (guint8 *mask,
                   guint   width,
                   guint   height,
                   guint   sigma)
{
  guint size = 2 * (guint) (2.5 * sigma + 0.5) + 1;
  g_autofree int *kernel = NULL;

  if (sigma == 0)
    return;
  kernel = gaussian_kernel (size, sigma);
  blur_lines (mask, width, height, 1, width, kernel, size);
  blur_lines (mask, height, width, width, 1, kernel, size);
}

static void
paste_u8 (guint8       *dest,
          guint         width,
          guint         height,
          const guint8 *src,
          guint         src_width,
          guint         src_height,
          int           x0,
          int           y0)
{
  for (guint y = 0; y < src_height; y++)
    for (guint x = 0; x < src_width; x++)
      {
        int dx = x0 + (int) x, dy = y0 + (int) y;

        if (dx >= 0 && dy >= 0 && dx < (int) width && dy < (int) height)
          dest[(gsize) dy * width + dx] = src[(gsize) y * src_width + x];
      }
}

static void
paste_float (float       *dest,
             guint        width,
             guint        height,
             const float *src,
             guint        src_width,
             guint        src_height,
             int          x0,
             int          y0)
{
  for (guint y = 0; y < src_height; y++)
    for (guint x = 0; x < src_width; x++)
      {
        int dx = x0 + (int) x, dy = y0 + (int) y;

        if (dx >= 0 && dy >= 0 && dx < (int) width && dy < (int) height)
          dest[(gsize) dy * width + dx] = src[(gsize) y * src_width + x];
      }
}

typedef void (*ResizeFunc) (gconstpointer in, guint w, guint h, const double box[4],
                            gpointer out, guint ow, guint oh);
typedef void (*PasteFunc) (gpointer dest, guint w, guint h, gconstpointer src,
                           guint sw, guint sh, int x, int y);

static void
lanczos_u8 (gconstpointer in, guint w, guint h, const double box[4], gpointer out, guint ow, guint oh)
{
  tessera_mask_resize_u8 (in, w, h, box, out, ow, oh, TESSERA_MASK_FILTER_LANCZOS);
}

static void
lanczos_float (gconstpointer in, guint w, guint h, const double box[4], gpointer out, guint ow, guint oh)
{
  tessera_mask_resize_float (in, w, h, box, out, ow, oh, TESSERA_MASK_FILTER_LANCZOS);
}

/* A1111's images.resize_image() in mode 2, "resize and fill": scaled to
 * fit inside, centred, and the gaps filled by stretching the edges, as
 * Pillow's resize() of a region of zero height or width makes them. */
static void
resize_fill (gconstpointer in,
             guint         width,
             guint         height,
             gpointer      out,
             guint         out_width,
             guint         out_height,
             gsize         element,
             ResizeFunc    resize,
             PasteFunc     paste)
{
  double ratio = (double) out_width / out_height;
  double src_ratio = (double) width / height;
  guint src_w = ratio < src_ratio ? out_width : width * out_height / height;
  guint src_h = ratio >= src_ratio ? out_height : height * out_width / width;
  double whole[4] = { 0, 0, width, height };
  double resized_box[4] = { 0, 0, src_w, src_h };
  g_autofree guint8 *resized = g_malloc ((gsize) element * src_w * src_h);

  memset (out, 0, element * out_width * out_height);
  if (src_w == width && src_h == height)
    memcpy (resized, in, element * width * height);
  else
    resize (in, width, height, whole, resized, src_w, src_h);
  paste (out, out_width, out_height, resized, src_w, src_h,
         out_width / 2 - src_w / 2, out_height / 2 - src_h / 2);

  if (ratio < src_ratio)
    {
      guint fill = out_height / 2 - src_h / 2;
      g_autofree guint8 *band = g_malloc ((gsize) element * out_width * MAX (fill, 1));

      if (fill == 0)
        return;
      resized_box[3] = 0;
      resize (resized, src_w, src_h, resized_box, band, out_width, fill);
      paste (out, out_width, out_height, band, out_width, fill, 0, 0);
      resized_box[1] = resized_box[3] = src_h;
      resize (resized, src_w, src_h, resized_box, band, out_width, fill);
      paste (out, out_width, out_height, band, out_width, fill, 0, fill + src_h);
    }
  else if (ratio > src_ratio)
    {
      guint fill = out_width / 2 - src_w / 2;
      g_autofree guint8 *band = g_malloc ((gsize) element * out_height * MAX (fill, 1));

      if (fill == 0)
        return;
      resized_box[2] = 0;
      resize (resized, src_w, src_h, resized_box, band, fill, out_height);
      paste (out, out_width, out_height, band, fill, out_height, 0, 0);
      resized_box[0] = resized_box[2] = src_w;
      resize (resized, src_w, src_h, resized_box, band, fill, out_height);
      paste (out, out_width, out_height, band, fill, out_height, fill + src_w, 0);
    }
}

/*
 * tessera_mask_resize_fill:
 *
 * The cropped mask resized to the processing size as A1111 resizes it
 * (images.resize_image(2, …), Lanczos).
 *
 * Returns: (transfer full): @out_width × @out_height bytes
 */
guint8 *
tessera_mask_resize_fill (const guint8 *mask,
                          guint         width,
                          guint         height,
                          guint         out_width,
                          guint         out_height)
{
  guint8 *out = g_new (guint8, (gsize) out_width * out_height);

  resize_fill (mask, width, height, out, out_width, out_height, 1,
               lanczos_u8, (PasteFunc) paste_u8);
  return out;
}

/* The same for one plane of the image's crop, in float. */
void
tessera_mask_resize_fill_float (const float *plane,
                                guint        width,
                                guint        height,
                                float       *out,
                                guint        out_width,
                                guint        out_height)
{
  resize_fill (plane, width, height, out, out_width, out_height, sizeof (float),
               lanczos_float, (PasteFunc) paste_float);
}

/* A1111's images.resize_image() in mode 1, "crop and resize", which
 * apply_overlay() brings the redrawn crop back to its size with: scaled to
 * cover, centred, the overflow cut. */
void
tessera_mask_resize_crop_float (const float *plane,
                                guint        width,
                                guint        height,
                                float       *out,
                                guint        out_width,
                                guint        out_height)
{
  double ratio = (double) out_width / out_height;
  double src_ratio = (double) width / height;
  guint src_w = ratio > src_ratio ? out_width : width * out_height / height;
  guint src_h = ratio <= src_ratio ? out_height : height * out_width / width;
  double whole[4] = { 0, 0, width, height };
  g_autofree float *resized = g_new (float, (gsize) src_w * src_h);

  memset (out, 0, sizeof (float) * out_width * out_height);
  if (src_w == width && src_h == height)
    memcpy (resized, plane, sizeof (float) * width * height);
  else
    tessera_mask_resize_float (plane, width, height, whole, resized, src_w, src_h,
                               TESSERA_MASK_FILTER_LANCZOS);
  paste_float (out, out_width, out_height, resized, src_w, src_h,
               (int) (out_width / 2) - (int) (src_w / 2), (int) (out_height / 2) - (int) (src_h / 2));
}

/*
 * tessera_mask_latent:
 *
 * The processing-size mask brought to the latent's size as A1111 makes
 * its latent mask: Pillow's default resize (bicubic), over 255, rounded
 * (mask_round), so each latent pixel is kept or redrawn.
 *
 * Returns: (transfer full): @latent_width × @latent_height floats, 0 or 1
 */
float *
tessera_mask_latent (const guint8 *mask,
                     guint         width,
                     guint         height,
                     guint         latent_width,
                     guint         latent_height)
{
  gsize n = (gsize) latent_width * latent_height;
  g_autofree guint8 *small = g_new (guint8, n);
  double whole[4] = { 0, 0, width, height };
  float *latent = g_new (float, n);

  if (width == latent_width && height == latent_height)
    memcpy (small, mask, n);
  else
    tessera_mask_resize_u8 (mask, width, height, whole, small, latent_width, latent_height,
                            TESSERA_MASK_FILTER_BICUBIC);
  for (gsize i = 0; i < n; i++)
    latent[i] = nearbyint (small[i] / 255.0);
  return latent;
}
