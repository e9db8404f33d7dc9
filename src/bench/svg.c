/* svg.c: line charts and bar panels written as plain SVG 1.1, readable in any browser and by rsvg-convert. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "svg.h"

#define WIDTH 860
#define FONT "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""

/* Okabe-Ito colours: distinguishable with the common forms of colour blindness. */
static const char *const palette[] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
};
#define NCOLORS (sizeof(palette) / sizeof(palette[0]))

/* The plotting area of an x/y chart, in SVG pixels. */
struct frame {
	double left, top, width, height;
};

/* Write S with the characters XML reserves escaped. */
static void put_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static void text(FILE *f, double x, double y, const char *anchor, const char *style, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>", x, y, anchor, style);
	put_text(f, s);
	fputs("</text>\n", f);
}

static void open_svg(FILE *f, int height, const char *title, const char *subtitle)
{
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" " FONT ">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		WIDTH, height, WIDTH, height);
	text(f, 24, 30, "start", "font-size=\"18\" font-weight=\"bold\" fill=\"#222\"", title);
	if (subtitle)
		text(f, 24, 50, "start", "font-size=\"12\" fill=\"#666\"", subtitle);
}

static void format_value(svg_format_fn fmt, double v, char *buf, size_t size)
{
	if (fmt)
		fmt(v, buf, size);
	else
		snprintf(buf, size, "%g", v);
}

/* Where V falls along an axis, from 0 (min) to 1 (max). */
static double axis_pos(const struct svg_axis *a, double v)
{
	if (a->log)
		return (log10(v) - log10(a->min)) / (log10(a->max) - log10(a->min));
	return (v - a->min) / (a->max - a->min);
}

/* A step of 1, 2 or 5 times a power of ten that cuts SPAN into about six parts. */
static double nice_step(double span)
{
	double raw = span / 6, mag = pow(10, floor(log10(raw))), r = raw / mag;

	return mag * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
}

/* Fill TICKS with the tick positions of axis A (at most MAX); the count. */
static size_t axis_ticks(const struct svg_axis *a, double *ticks, size_t max)
{
	size_t n = 0;

	if (a->ticks) {
		for (size_t i = 0; i < a->nticks && n < max; i++)
			ticks[n++] = a->ticks[i];
	} else if (a->log) {
		bool minor = log10(a->max / a->min) < 2.5;

		for (double d = pow(10, floor(log10(a->min))); d <= a->max * 1.0001 && n < max;
		     d *= 10)
			for (int m = 1; m <= 5 && n < max; m += (m == 1 ? 1 : 3))
				if ((m == 1 || minor) && d * m >= a->min * 0.9999 &&
				    d * m <= a->max * 1.0001)
					ticks[n++] = d * m;
	} else {
		double step = nice_step(a->max - a->min);

		for (double t = ceil(a->min / step) * step; t <= a->max + step * 1e-6 && n < max;
		     t += step)
			ticks[n++] = fabs(t) < step * 1e-9 ? 0 : t;
	}
	return n;
}

/* Fit an axis whose range is unset to the data, rounding outward for a log scale. */
static void fit_axis(struct svg_axis *a, const struct svg_xy *c, bool is_x)
{
	double lo = INFINITY, hi = -INFINITY;

	if (a->min < a->max)
		return;
	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->series[s].n; i++) {
			double v = is_x ? c->series[s].x[i] : c->series[s].y[i];

			if (a->log && v <= 0)
				continue;
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
	for (size_t r = 0; !is_x && r < c->nrefs; r++) {
		lo = fmin(lo, c->refs[r].y);
		hi = fmax(hi, c->refs[r].y);
	}
	if (!isfinite(lo)) {
		lo = a->log ? 1 : 0;
		hi = lo + 1;
	}
	if (a->log) {
		a->min = a->ticks ? lo / 1.4 : pow(10, floor(log10(lo)));
		a->max = a->ticks ? hi * 1.4 : pow(10, ceil(log10(hi * 1.0001)));
	} else {
		double step;

		a->min = lo > 0 ? 0 : lo;
		a->max = hi > a->min ? hi : a->min + 1;
		step = nice_step(a->max - a->min);
		a->max = ceil(a->max * 1.05 / step) * step;
	}
}

static void draw_grid(FILE *f, const struct frame *fr, const struct svg_axis *x,
		      const struct svg_axis *y)
{
	double ticks[64];
	char label[32];
	size_t n;

	n = axis_ticks(x, ticks, 64);
	for (size_t i = 0; i < n; i++) {
		double px = fr->left + axis_pos(x, ticks[i]) * fr->width;

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n",
			px, fr->top, px, fr->top + fr->height);
		format_value(x->fmt, ticks[i], label, sizeof(label));
		text(f, px, fr->top + fr->height + 18, "middle", "font-size=\"12\" fill=\"#444\"", label);
	}
	n = axis_ticks(y, ticks, 64);
	for (size_t i = 0; i < n; i++) {
		double py = fr->top + (1 - axis_pos(y, ticks[i])) * fr->height;

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n",
			fr->left, py, fr->left + fr->width, py);
		format_value(y->fmt, ticks[i], label, sizeof(label));
		text(f, fr->left - 8, py + 4, "end", "font-size=\"12\" fill=\"#444\"", label);
	}
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		   "stroke=\"#888\"/>\n",
		fr->left, fr->top, fr->width, fr->height);
	text(f, fr->left + fr->width / 2, fr->top + fr->height + 42, "middle",
	     "font-size=\"13\" fill=\"#222\"", x->label);
	fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\" "
		   "font-size=\"13\" fill=\"#222\">",
		fr->left - 62, fr->top + fr->height / 2);
	put_text(f, y->label);
	fputs("</text>\n", f);
}

/* Whether V can be drawn on axis A (log axes have no place for zero). */
static bool on_axis(const struct svg_axis *a, double v)
{
	return isfinite(v) && (!a->log || v > 0);
}

static void draw_series(FILE *f, const struct frame *fr, const struct svg_xy *c, size_t s)
{
	const struct svg_series *se = &c->series[s];
	const char *color = palette[s % NCOLORS];

	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.2\" "
		   "stroke-linejoin=\"round\" points=\"",
		color);
	for (size_t i = 0; i < se->n; i++) {
		if (!on_axis(&c->x, se->x[i]) || !on_axis(&c->y, se->y[i]))
			continue;
		fprintf(f, "%.1f,%.1f ", fr->left + axis_pos(&c->x, se->x[i]) * fr->width,
			fr->top + (1 - axis_pos(&c->y, se->y[i])) * fr->height);
	}
	fputs("\"/>\n", f);
	for (size_t i = 0; se->markers && i < se->n; i++)
		if (on_axis(&c->x, se->x[i]) && on_axis(&c->y, se->y[i]))
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#fff\"/>\n",
				fr->left + axis_pos(&c->x, se->x[i]) * fr->width,
				fr->top + (1 - axis_pos(&c->y, se->y[i])) * fr->height, color);
}

static void draw_refs(FILE *f, const struct frame *fr, const struct svg_xy *c)
{
	for (size_t r = 0; r < c->nrefs; r++) {
		double py = fr->top + (1 - axis_pos(&c->y, c->refs[r].y)) * fr->height;

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
			   "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
			fr->left, py, fr->left + fr->width, py);
		text(f, fr->left + fr->width - 6, py - 6, "end", "font-size=\"12\" fill=\"#555\"",
		     c->refs[r].label);
	}
}

static void draw_legend(FILE *f, double x, double y, const char *const *labels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%s\"/>\n", x,
			y + i * 20.0 - 6, palette[i % NCOLORS]);
		text(f, x + 20, y + i * 20.0, "start", "font-size=\"12\" fill=\"#222\"", labels[i]);
	}
}

int svg_write_xy(const char *path, const struct svg_xy *chart)
{
	struct svg_xy c = *chart;
	struct frame fr = { 90, 70, WIDTH - 90 - 230, 360 };
	const char *labels[16];
	size_t n = c.nseries < 16 ? c.nseries : 16;
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fit_axis(&c.x, chart, true);
	fit_axis(&c.y, chart, false);
	open_svg(f, 500, c.title, c.subtitle);
	draw_grid(f, &fr, &c.x, &c.y);
	draw_refs(f, &fr, &c);
	for (size_t s = 0; s < c.nseries; s++)
		draw_series(f, &fr, &c, s);
	for (size_t s = 0; s < n; s++)
		labels[s] = c.series[s].label;
	draw_legend(f, fr.left + fr.width + 20, fr.top + 10, labels, n);
	fputs("</svg>\n", f);
	return fclose(f) == 0 ? 0 : -errno;
}

int svg_write_buffers(const char *path, struct svg_xy chart, const char *xlabel,
		      const char *label, const long *bytes, const double *values, size_t n,
		      const char *reflabel)
{
	double x[SVG_BUFFERS_MAX], y[SVG_BUFFERS_MAX];
	struct svg_refline ref = { NULL, 0 };
	size_t m = 0;

	for (size_t i = 0; i < n && m < SVG_BUFFERS_MAX; i++) {
		if (bytes[i] == 0) {
			ref = (struct svg_refline){ reflabel, values[i] };
			continue;
		}
		x[m] = (double)bytes[i];
		y[m++] = values[i];
	}
	chart.x = (struct svg_axis){ xlabel, 0, 0, true, x, m, svg_format_bytes };
	chart.series = &(struct svg_series){ label, x, y, m, true };
	chart.nseries = m > 0;
	chart.refs = &ref;
	chart.nrefs = ref.label != NULL;
	return svg_write_xy(path, &chart);
}

/* One colour for a single measure; the second and later palette colours for several. */
static const char *bar_color(const struct svg_panel *p, size_t s)
{
	return palette[p->nseries > 1 ? (1 + s) % NCOLORS : 0];
}

/* One panel of bars between X and X + WIDTH; categories are BAND pixels tall from TOP. */
static void draw_panel(FILE *f, const struct svg_bars *c, const struct svg_panel *p, double x,
		       double width, double top, double band)
{
	double max = 0, bar = (band - 14) / (double)p->nseries;
	char label[48];

	for (size_t i = 0; i < c->ncategories * p->nseries; i++)
		max = fmax(max, p->values[i]);
	if (max <= 0)
		max = 1;
	text(f, x, top - 12, "start", "font-size=\"13\" font-weight=\"bold\" fill=\"#222\"",
	     p->title);
	if (p->nseries > 1)
		for (size_t s = 0; s < p->nseries; s++) {
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>\n",
				x + (double)s * 110, top + band * (double)c->ncategories + 8,
				bar_color(p, s));
			text(f, x + (double)s * 110 + 14, top + band * (double)c->ncategories + 17,
			     "start", "font-size=\"12\" fill=\"#222\"", p->series[s]);
		}
	for (size_t k = 0; k < c->ncategories; k++)
		for (size_t s = 0; s < p->nseries; s++) {
			double v = p->values[k * p->nseries + s], w = v / max * (width - 90);
			double y = top + band * (double)k + 7 + bar * (double)s;

			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				   "fill=\"%s\" rx=\"2\"/>\n",
				x, y, w > 0 ? w : 0, bar - 2, bar_color(p, s));
			format_value(p->fmt, v, label, sizeof(label));
			text(f, x + (w > 0 ? w : 0) + 5, y + bar / 2 + 3, "start",
			     "font-size=\"12\" fill=\"#222\"", label);
		}
}

int svg_write_bars(const char *path, const struct svg_bars *c)
{
	double label_w = 170, top = 90, band = 46;
	double panel_w = (WIDTH - label_w - 30) / (double)(c->npanels ? c->npanels : 1);
	int height = (int)(top + band * (double)c->ncategories + 50);
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	open_svg(f, height, c->title, c->subtitle);
	for (size_t k = 0; k < c->ncategories; k++) {
		double y = top + band * (double)k;

		if (k % 2 == 0)
			fprintf(f, "<rect x=\"16\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
				   "fill=\"#f5f5f5\"/>\n",
				y + 2, WIDTH - 32, band - 4);
		text(f, label_w - 10, y + band / 2 + 4, "end", "font-size=\"13\" fill=\"#222\"",
		     c->categories[k]);
	}
	for (size_t p = 0; p < c->npanels; p++)
		draw_panel(f, c, &c->panels[p], label_w + (double)p * panel_w, panel_w - 10, top,
			   band);
	fputs("</svg>\n", f);
	return fclose(f) == 0 ? 0 : -errno;
}

void svg_format_ns(double ns, char *buf, size_t size)
{
	if (ns >= 1e9)
		snprintf(buf, size, "%.3gs", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, size, "%.3gms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, size, "%.3g\u00b5s", ns / 1e3);
	else
		snprintf(buf, size, "%.3gns", ns);
}

void svg_format_bytes(double bytes, char *buf, size_t size)
{
	format_size((long)bytes, buf, size);
}

void svg_format_percent(double pct, char *buf, size_t size)
{
	snprintf(buf, size, "%g%%", pct);
}

void svg_format_count(double v, char *buf, size_t size)
{
	snprintf(buf, size, "%.0f", v);
}
