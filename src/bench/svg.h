/* svg.h: the two kinds of chart the bench draws, written as SVG directly (no plotting program needed). */
#ifndef SOCKOPT_SVG_H
#define SOCKOPT_SVG_H

#include <stdbool.h>
#include <stddef.h>

/* Formats one tick or bar value for people ("40ms", "1M", "12.5"). */
typedef void (*svg_format_fn)(double v, char *buf, size_t size);

/* One axis: its label, range (fitted to the data when min >= max), scale and ticks. */
struct svg_axis {
	const char *label;
	double min, max;
	bool log;
	const double *ticks; /* explicit tick positions, or NULL for 1-2-5 or decade ticks */
	size_t nticks;
	svg_format_fn fmt;   /* NULL: %g */
};

/* One line of an x/y chart. */
struct svg_series {
	const char *label;
	const double *x, *y;
	size_t n;
	bool markers; /* a dot at each point, for few measured points */
};

/* A horizontal dashed line across an x/y chart, labelled. */
struct svg_refline {
	const char *label;
	double y;
};

struct svg_xy {
	const char *title, *subtitle;
	struct svg_axis x, y;
	const struct svg_series *series;
	size_t nseries;
	const struct svg_refline *refs;
	size_t nrefs;
};

/* Write an x/y line chart with a legend to PATH; 0 or -errno. */
int svg_write_xy(const char *path, const struct svg_xy *chart);

/* The most buffer sizes svg_write_buffers draws. */
#define SVG_BUFFERS_MAX 32

/*
 * A measure against requested buffer sizes (bench stream, udp): CHART's
 * titles and y axis, its x axis labelled XLABEL with the sizes as ticks,
 * one marked series LABEL of VALUES against BYTES, and the value at 0
 * bytes (the kernel's own size) as a dashed line labelled REFLABEL.
 */
int svg_write_buffers(const char *path, struct svg_xy chart, const char *xlabel,
		      const char *label, const long *bytes, const double *values, size_t n,
		      const char *reflabel);

/* One panel of horizontal bars: NSERIES bars for each category. */
struct svg_panel {
	const char *title;
	const char *const *series; /* NSERIES labels (a legend when more than one) */
	size_t nseries;
	const double *values;	   /* values[category * nseries + series] */
	svg_format_fn fmt;
};

struct svg_bars {
	const char *title, *subtitle;
	const char *const *categories;
	size_t ncategories;
	const struct svg_panel *panels;
	size_t npanels;
};

/* Write panels of horizontal bars side by side, categories down the left, to PATH. */
int svg_write_bars(const char *path, const struct svg_bars *chart);

/* Formatters the modes share: nanoseconds as "40ms", bytes as "64K", percent, whole counts. */
void svg_format_ns(double ns, char *buf, size_t size);
void svg_format_bytes(double bytes, char *buf, size_t size);
void svg_format_percent(double pct, char *buf, size_t size);
void svg_format_count(double v, char *buf, size_t size);

#endif /* SOCKOPT_SVG_H */
