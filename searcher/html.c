/*
 * html.c - the CGI's pages.
 *
 * One rule makes the pages safe: every string that did not come from this
 * file goes through html_escape_text(), html_escape_attr() or
 * html_escape_url() on its way out, whatever its source (the request, the
 * index, a suggestion), because dispatches are input too.  Attributes are
 * always double-quoted.  There is no script: everything works with plain
 * links and one GET form.
 */
#include "html.h"

#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

int html_escape_text(strbuf *out, const char *s, size_t len)
{
	size_t from = 0;

	if (strbuf_grow(out, len))
		return -1;
	for (size_t i = 0; i < len; i++) {
		const char *e = entity((unsigned char)s[i]);

		if (!e)
			continue;
		if (strbuf_add(out, s + from, i - from) || strbuf_addstr(out, e))
			return -1;
		from = i + 1;
	}
	return strbuf_add(out, s + from, len - from);
}

int html_escape_attr(strbuf *out, const char *s, size_t len)
{
	/* The text escape already covers both quote characters; attributes
	 * are always written double-quoted. */
	return html_escape_text(out, s, len);
}

int html_escape_url(strbuf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	if (strbuf_grow(out, len))
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char enc[3];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			if (strbuf_addch(out, c))
				return -1;
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[c >> 4];
		enc[2] = hex[c & 15];
		if (strbuf_add(out, enc, 3))
			return -1;
	}
	return 0;
}

static int text(strbuf *out, const char *s)
{
	return s ? html_escape_text(out, s, strlen(s)) : 0;
}

static int attr(strbuf *out, const char *s)
{
	return s ? html_escape_attr(out, s, strlen(s)) : 0;
}

static int lit(strbuf *out, const char *s)
{
	return strbuf_addstr(out, s);
}

static int only_spaces(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ')
			return 0;
	return 1;
}

int html_marked(strbuf *out, const char *s, size_t len,
		const snippet_mark *marks, size_t n)
{
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		size_t start = marks[i].start, end = marks[i].end;

		/* Never trust ranges blindly: skip those outside the text. */
		if (start < at || end > len || start >= end)
			continue;
		/* Matches apart by spaces only read as one: "Durand Line". */
		while (i + 1 < n && marks[i + 1].start >= end &&
		       marks[i + 1].end <= len && marks[i + 1].start < marks[i + 1].end &&
		       only_spaces(s + end, marks[i + 1].start - end)) {
			end = marks[i + 1].end;
			i++;
		}
		if (html_escape_text(out, s + at, start - at) || lit(out, "<mark>") ||
		    html_escape_text(out, s + start, end - start) ||
		    lit(out, "</mark>"))
			return -1;
		at = end;
	}
	return html_escape_text(out, s + at, len - at);
}

/* TEXT marked with the matches of HL (plain when HL is NULL or there are
 * none). */
static int marked_text(strbuf *out, const char *s, const query_highlight *hl)
{
	snippet_mark *marks = NULL;
	size_t n = 0, len;
	int r;

	if (!s)
		return 0;
	len = strlen(s);
	if (!hl)
		return html_escape_text(out, s, len);
	if (snippet_mark_text(s, len, hl, &marks, &n))
		return -1;
	r = html_marked(out, s, len, marks, n);
	free(marks);
	return r;
}

/* ------------------------------------------------------------------ */
/* Links. */

struct link_param {
	const char *name;
	const char *value;
};

static int add_param(strbuf *out, int *first, const char *name, const char *value)
{
	if (!value || !*value)
		return 0;
	if (lit(out, *first ? "?" : "&amp;") || lit(out, name) || lit(out, "=") ||
	    html_escape_url(out, value, strlen(value)))
		return -1;
	*first = 0;
	return 0;
}

static const char *sort_name(enum search_sort s)
{
	switch (s) {
	case SORT_DATE:
		return "date";
	case SORT_DATE_DESC:
		return "-date";
	default:
		return "relevance";
	}
}

int html_href(strbuf *out, const cgi_params *p, const char *name,
	      const char *value)
{
	char page[16] = "", per_page[16] = "";
	struct link_param ps[] = {
		{ "q", p->q },
		{ "agency", p->agency },
		{ "place", p->place },
		{ "lang", p->lang },
		{ "from", p->from },
		{ "to", p->to },
		{ "sort", p->sort != SORT_RELEVANCE ? sort_name(p->sort) : NULL },
		{ "versions", p->all_versions ? "all" : NULL },
		{ "facets", p->no_facets ? "0" : NULL },
		{ "per_page", NULL },
		{ "page", NULL },
	};
	size_t n = sizeof(ps) / sizeof(ps[0]);
	int first = 1;

	if (name && !strcmp(name, "id")) {
		if (add_param(out, &first, "id", value) ||
		    add_param(out, &first, "q", p->q))
			return -1;
		return first ? lit(out, "?") : 0;
	}
	if (p->per_page != CGI_DEFAULT_PER_PAGE) {
		snprintf(per_page, sizeof(per_page), "%u", p->per_page);
		ps[n - 2].value = per_page;
	}
	if (p->page > 1 && (!name || !strcmp(name, "page"))) {
		snprintf(page, sizeof(page), "%u", p->page);
		ps[n - 1].value = page;
	}
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(ps[i].name, name))
			ps[i].value = value;
	for (size_t i = 0; i < n; i++)
		if (add_param(out, &first, ps[i].name, ps[i].value))
			return -1;
	return first ? lit(out, "?") : 0;
}

/* <a href="HREF">TEXT</a> with extra attributes EXTRA (ours, literal). */
static int link(strbuf *out, const cgi_params *p, const char *name,
		const char *value, const char *extra, const char *label)
{
	return lit(out, "<a href=\"") || html_href(out, p, name, value) ||
	       lit(out, "\"") || lit(out, extra ? extra : "") || lit(out, ">") ||
	       text(out, label) || lit(out, "</a>");
}

/* ------------------------------------------------------------------ */
/* The frame of every page. */

static const char style[] =
	":root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--dim:#5c5c5c;"
	"--link:#0b57a4;--line:#ddd;--mark:#ffe58a;--bar:#3d7cc9}"
	"@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--bg:#161616;"
	"--dim:#a8a8a8;--link:#8cbcf5;--line:#383838;--mark:#6b5a00;--bar:#5d9be0}}"
	"*{box-sizing:border-box}"
	"body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	"color:var(--fg);background:var(--bg)}"
	"a{color:var(--link)}"
	"header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}"
	"header{padding-top:1rem;border-bottom:1px solid var(--line)}"
	".brand{font-weight:700;text-decoration:none;font-size:1.2rem}"
	"form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.75rem 0}"
	"form.search .box{flex:1 1 20rem;display:flex;flex-direction:column}"
	"form.search label{font-size:.85rem;color:var(--dim)}"
	"form.search .opt{display:flex;flex-direction:column}"
	"input,select,button{font:inherit;padding:.4rem .5rem;border:1px solid var(--line);"
	"border-radius:4px;background:var(--bg);color:var(--fg)}"
	"button{background:var(--link);color:var(--bg);border-color:var(--link);cursor:pointer}"
	".filters{margin:.5rem 0;color:var(--dim);font-size:.9rem}"
	".filters a{margin-right:.75rem}"
	".count{color:var(--dim);margin:.75rem 0}"
	".layout{display:grid;grid-template-columns:minmax(0,1fr) 17rem;gap:2rem}"
	"@media (max-width:48rem){.layout{grid-template-columns:minmax(0,1fr)}}"
	"ol.hits{list-style:none;padding:0;margin:0}"
	".hit{margin:0 0 1.4rem}"
	".hit h2{font-size:1.1rem;margin:0 0 .2rem;line-height:1.3}"
	".meta{color:var(--dim);font-size:.85rem;margin:0 0 .2rem}"
	".snippet{margin:0;overflow-wrap:anywhere}"
	"mark{background:var(--mark);color:inherit;padding:0 .1em;border-radius:2px}"
	"aside h2{font-size:.95rem;margin:1rem 0 .3rem}"
	"aside ul{list-style:none;margin:0;padding:0;font-size:.9rem}"
	"aside li{display:flex;justify-content:space-between;gap:.5rem}"
	"aside .n{color:var(--dim)}"
	"figure{margin:1rem 0}figcaption{font-size:.8rem;color:var(--dim)}"
	"svg.chart{width:100%;height:auto;display:block}"
	"svg.chart rect{fill:var(--bar)}svg.chart text{fill:var(--dim);font-size:11px}"
	"nav.pages{margin:1.5rem 0;display:flex;flex-wrap:wrap;gap:.4rem}"
	"nav.pages a,nav.pages span{padding:.2rem .6rem;border:1px solid var(--line);border-radius:4px}"
	"nav.pages [aria-current]{font-weight:700}"
	"article.story{max-width:44rem}"
	"article.story h1{font-size:1.6rem;line-height:1.25;margin:1rem 0 .3rem}"
	"article.story p{overflow-wrap:anywhere}"
	".dateline{font-weight:600}"
	".versions li{margin:.3rem 0}"
	"details{margin:.5rem 0;border-left:3px solid var(--line);padding-left:.75rem}"
	"summary{cursor:pointer}"
	".error{border-left:4px solid #c62828;padding:.5rem 1rem;margin:1rem 0}"
	"footer{color:var(--dim);font-size:.8rem;border-top:1px solid var(--line);"
	"margin-top:2rem;padding-top:.5rem;padding-bottom:1rem}";

static int page_start(strbuf *out, const char *title)
{
	return lit(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			"<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			"<meta name=\"referrer\" content=\"no-referrer\">\n"
			"<title>") ||
	       text(out, title) ||
	       lit(out, "</title>\n<style>") || lit(out, style) ||
	       lit(out, "</style>\n</head>\n<body>\n");
}

static int page_end(strbuf *out)
{
	return lit(out, "<footer><p>wiresearch: news-agency dispatches. "
			"Query syntax: words, \"phrases\", OR, NOT, -word, word*, "
			"agency:, place:, lang:, date:2025-04.</p></footer>\n"
			"</body>\n</html>\n");
}

static int hidden(strbuf *out, const char *name, const char *value)
{
	if (!value || !*value)
		return 0;
	return lit(out, "<input type=\"hidden\" name=\"") || lit(out, name) ||
	       lit(out, "\" value=\"") || attr(out, value) || lit(out, "\">\n");
}

static int option(strbuf *out, const char *value, const char *label, int selected)
{
	return lit(out, "<option value=\"") || lit(out, value) || lit(out, "\"") ||
	       lit(out, selected ? " selected" : "") || lit(out, ">") ||
	       lit(out, label) || lit(out, "</option>");
}

/* The header: name, search form (the box keeps the query; the filters
 * ride along as hidden fields), and the active filters with links that
 * remove them. */
static int header(strbuf *out, const cgi_params *p)
{
	static const char *const filter_names[] = { "agency", "place", "lang", "from", "to" };
	const char *values[5];
	int any = 0;

	if (lit(out, "<header>\n<a class=\"brand\" href=\"?\">wiresearch</a>\n"
		     "<form class=\"search\" method=\"get\" role=\"search\">\n"
		     "<div class=\"box\"><label for=\"q\">Search the dispatches</label>"
		     "<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"1000\" value=\"") ||
	    attr(out, p ? p->q : "") ||
	    lit(out, "\"></div>\n<div class=\"opt\"><label for=\"sort\">Order</label>"
		     "<select id=\"sort\" name=\"sort\">") ||
	    option(out, "relevance", "relevance", !p || p->sort == SORT_RELEVANCE) ||
	    option(out, "-date", "newest first", p && p->sort == SORT_DATE_DESC) ||
	    option(out, "date", "oldest first", p && p->sort == SORT_DATE) ||
	    lit(out, "</select></div>\n<div class=\"opt\"><label for=\"versions\">Versions</label>"
		     "<select id=\"versions\" name=\"versions\">") ||
	    option(out, "collapsed", "newest of each story", !p || !p->all_versions) ||
	    option(out, "all", "every version", p && p->all_versions) ||
	    lit(out, "</select></div>\n<div class=\"opt\"><label for=\"from\">From</label>"
		     "<input id=\"from\" name=\"from\" type=\"date\" value=\"") ||
	    attr(out, p ? p->from : "") ||
	    lit(out, "\"></div>\n<div class=\"opt\"><label for=\"to\">To</label>"
		     "<input id=\"to\" name=\"to\" type=\"date\" value=\"") ||
	    attr(out, p ? p->to : "") ||
	    lit(out, "\"></div>\n"))
		return -1;
	if (p && (hidden(out, "agency", p->agency) || hidden(out, "place", p->place) ||
		  hidden(out, "lang", p->lang) ||
		  hidden(out, "facets", p->no_facets ? "0" : NULL)))
		return -1;
	if (p && p->per_page != CGI_DEFAULT_PER_PAGE) {
		char n[16];

		snprintf(n, sizeof(n), "%u", p->per_page);
		if (hidden(out, "per_page", n))
			return -1;
	}
	if (lit(out, "<button type=\"submit\">Search</button>\n</form>\n"))
		return -1;
	if (p) {
		values[0] = p->agency;
		values[1] = p->place;
		values[2] = p->lang;
		values[3] = p->from[0] ? p->from : NULL;
		values[4] = p->to[0] ? p->to : NULL;
		for (size_t i = 0; i < 5; i++) {
			if (!values[i])
				continue;
			if (!any && lit(out, "<p class=\"filters\">Filters: "))
				return -1;
			any = 1;
			if (lit(out, "<a href=\"") ||
			    html_href(out, p, filter_names[i], NULL) ||
			    lit(out, "\" title=\"Remove this filter\">") ||
			    lit(out, filter_names[i]) || lit(out, ": ") ||
			    text(out, values[i]) || lit(out, " ✕</a>"))
				return -1;
		}
		if (any && lit(out, "</p>\n"))
			return -1;
	}
	return lit(out, "</header>\n");
}

/* ------------------------------------------------------------------ */
/* The results page. */

/* dispatch_display_headline() into *OUT, telling "no text at all" (0, *OUT
 * NULL) from out of memory (-1). */
static int display_headline(const dispatch *d, char **out)
{
	*out = dispatch_display_headline(d);
	if (*out || !((d->headline && *d->headline) ||
		      (d->n_paragraphs && d->paragraphs[0] && *d->paragraphs[0])))
		return 0;
	return -1;
}

static int hit_meta(strbuf *out, const search_hit *h, int all_versions)
{
	unsigned shown = h->d.version ? h->d.version : 1;
	int sep = 0;

	if (lit(out, "<p class=\"meta\">"))
		return -1;
	if (h->date[0]) {
		if (lit(out, "<time datetime=\"") || attr(out, h->date) ||
		    lit(out, "\">") || html_escape_text(out, h->date, 10) ||
		    lit(out, "</time>"))
			return -1;
		sep = 1;
	}
	if (h->d.agency) {
		if ((sep && lit(out, " · ")) || text(out, h->d.agency))
			return -1;
		sep = 1;
	}
	for (size_t j = 0; j < h->d.n_places; j++) {
		if (lit(out, j ? ", " : (sep ? " · " : "")) || text(out, h->d.places[j]))
			return -1;
		sep = 1;
	}
	if (h->n_versions > 1) {
		if (strbuf_addf(out, "%sversion %u of %u", sep ? " · " : "", shown,
				h->n_versions))
			return -1;
		sep = 1;
		if (h->matched_version && h->matched_version != shown &&
		    strbuf_addf(out, " · matched in version %u of %u",
				h->matched_version, h->n_versions))
			return -1;
	} else if (all_versions && h->d.version) {
		if (strbuf_addf(out, "%sversion %u", sep ? " · " : "", h->d.version))
			return -1;
	}
	if (h->withdrawn && lit(out, " · <strong>withdrawn</strong>"))
		return -1;
	return lit(out, "</p>\n");
}

static int hit(strbuf *out, const cgi_params *p, const search_hit *h, int all_versions)
{
	char *headline;
	int r;

	if (display_headline(&h->d, &headline))
		return -1;
	r = lit(out, "<li class=\"hit\"><h2>");
	if (!r && h->d.id)
		r = lit(out, "<a href=\"") || html_href(out, p, "id", h->d.id) ||
		    lit(out, "\">");
	if (!r)
		r = text(out, headline ? headline : "(no headline)") ||
		    lit(out, h->d.id ? "</a></h2>\n" : "</h2>\n") ||
		    hit_meta(out, h, all_versions);
	if (!r && h->snip.text && h->snip.len)
		r = lit(out, "<p class=\"snippet\">") ||
		    lit(out, h->snip.cut_start ? "… " : "") ||
		    html_marked(out, h->snip.text, h->snip.len, h->snip.marks,
				h->snip.n_marks) ||
		    lit(out, h->snip.cut_end ? " …" : "") || lit(out, "</p>\n");
	if (!r)
		r = lit(out, "</li>\n");
	free(headline);
	return r;
}

static const search_facet *find_facet(const search_result *res, const char *name)
{
	for (size_t i = 0; i < res->n_facets; i++)
		if (!strcmp(res->facets[i].name, name))
			return &res->facets[i];
	return NULL;
}

#define FACET_SHOWN 12

static int facet_list(strbuf *out, const cgi_params *p, const search_result *res,
		      const char *facet, const char *param, const char *title,
		      const char *active)
{
	const search_facet *f = find_facet(res, facet);

	if (!f || !f->n)
		return 0;
	if (lit(out, "<section><h2>") || lit(out, title) || lit(out, "</h2><ul>\n"))
		return -1;
	for (size_t i = 0; i < f->n && i < FACET_SHOWN; i++) {
		const search_facet_value *v = &f->values[i];
		int on = active && !strcmp(active, v->value);

		if (lit(out, "<li>") ||
		    (on ? (lit(out, "<strong>") || text(out, v->value) ||
			   lit(out, "</strong>"))
			: link(out, p, param, v->value, NULL, v->value)) ||
		    strbuf_addf(out, " <span class=\"n\">%u</span></li>\n", v->count))
			return -1;
	}
	return lit(out, "</ul></section>\n");
}

/* Month index (year * 12 + month - 1) of "YYYY-MM", or -1. */
static long month_index(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return -1;
	if (s[7])
		return -1;
	{
		long y = atol(s), m = atol(s + 5);

		return m >= 1 && m <= 12 ? y * 12 + m - 1 : -1;
	}
}

struct bar {
	char label[16];
	uint32_t count;
};

#define CHART_MAX_MONTHS 240

static int cmp_bar(const void *a, const void *b)
{
	return strcmp(((const struct bar *)a)->label, ((const struct bar *)b)->label);
}

/* The bars: every month from the first to the last, empty ones included,
 * when the values are all months and span at most CHART_MAX_MONTHS; else
 * the values as they are, in byte order.  NULL when out of memory. */
static struct bar *month_bars(const search_facet *f, size_t *n)
{
	long lo = -1, hi = -1;
	struct bar *b;
	int months = 1;

	for (size_t i = 0; i < f->n; i++) {
		long m = month_index(f->values[i].value);

		if (m < 0) {
			months = 0;
			break;
		}
		if (lo < 0 || m < lo)
			lo = m;
		if (m > hi)
			hi = m;
	}
	if (months && hi - lo + 1 <= CHART_MAX_MONTHS) {
		*n = (size_t)(hi - lo + 1);
		b = wire_calloc(*n, sizeof(*b));
		if (!b)
			return NULL;
		for (size_t i = 0; i < *n; i++) {
			long m = lo + (long)i;

			snprintf(b[i].label, sizeof(b[i].label), "%04ld-%02ld",
				 (m / 12) % 10000, m % 12 + 1);
		}
		for (size_t i = 0; i < f->n; i++)
			b[month_index(f->values[i].value) - lo].count += f->values[i].count;
		return b;
	}
	*n = f->n;
	b = wire_calloc(*n, sizeof(*b));
	if (!b)
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		snprintf(b[i].label, sizeof(b[i].label), "%.15s", f->values[i].value);
		b[i].count = f->values[i].count;
	}
	qsort(b, *n, sizeof(*b), cmp_bar);
	return b;
}

/* Hits per month as a bar chart in inline SVG, months in order. */
static int month_chart(strbuf *out, const search_result *res)
{
	const search_facet *f = find_facet(res, "month");
	const double w = 300, h = 100, top = 14, bottom = 16;
	struct bar *v;
	uint32_t max = 0;
	size_t n;
	double bw;
	int r;

	if (!f || !f->n)
		return 0;
	v = month_bars(f, &n);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v[i].count > max)
			max = v[i].count;
	bw = w / (double)n;
	r = lit(out, "<section><h2>Hits per month</h2><figure class=\"chart\">") ||
	    strbuf_addf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
			     "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"",
			w, h + top + bottom) ||
	    lit(out, "Bar chart of hits per month from ") || text(out, v[0].label) ||
	    lit(out, " to ") || text(out, v[n - 1].label) ||
	    strbuf_addf(out, ", at most %u in a month\">", max);
	for (size_t i = 0; !r && i < n; i++) {
		double bh = max ? h * v[i].count / max : 0;

		if (v[i].count && bh < 1)
			bh = 1;
		r = strbuf_addf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				     "height=\"%.2f\"><title>",
				bw * (double)i + bw * 0.1, top + h - bh, bw * 0.8, bh) ||
		    text(out, v[i].label) ||
		    strbuf_addf(out, ": %u</title></rect>", v[i].count);
	}
	if (!r)
		r = strbuf_addf(out, "<text x=\"0\" y=\"11\">%u</text>", max) ||
		    strbuf_addf(out, "<text x=\"0\" y=\"%.0f\">", h + top + bottom - 3) ||
		    text(out, v[0].label) || lit(out, "</text>");
	if (!r && n > 1)
		r = strbuf_addf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">",
				w, h + top + bottom - 3) ||
		    text(out, v[n - 1].label) || lit(out, "</text>");
	if (!r)
		r = lit(out, "</svg><figcaption>") || text(out, v[0].label) ||
		    lit(out, n > 1 ? " to " : "") || text(out, n > 1 ? v[n - 1].label : "") ||
		    lit(out, "</figcaption></figure></section>\n");
	free(v);
	return r;
}

static int pages(strbuf *out, const cgi_params *p, const search_result *res)
{
	unsigned last = (res->total + p->per_page - 1) / p->per_page;
	unsigned cap = CGI_MAX_DEPTH / p->per_page;
	unsigned from, to;
	char num[16];

	if (last > cap)
		last = cap;
	if (last <= 1 && p->page <= 1)
		return 0;
	if (lit(out, "<nav class=\"pages\" aria-label=\"Result pages\">\n"))
		return -1;
	if (p->page > 1) {
		snprintf(num, sizeof(num), "%u", p->page - 1);
		if (link(out, p, "page", num, " rel=\"prev\"", "← Previous"))
			return -1;
	}
	from = p->page > 4 ? p->page - 3 : 1;
	to = p->page + 3 < last ? p->page + 3 : last;
	if (from > 1 && (link(out, p, "page", "1", NULL, "1") ||
			 (from > 2 && lit(out, "<span>…</span>"))))
		return -1;
	for (unsigned i = from; i <= to; i++) {
		snprintf(num, sizeof(num), "%u", i);
		if (i == p->page) {
			if (lit(out, "<span aria-current=\"page\">") || lit(out, num) ||
			    lit(out, "</span>"))
				return -1;
		} else if (link(out, p, "page", num, NULL, num)) {
			return -1;
		}
	}
	if (to < last) {
		snprintf(num, sizeof(num), "%u", last);
		if ((to + 1 < last && lit(out, "<span>…</span>")) ||
		    link(out, p, "page", num, NULL, num))
			return -1;
	}
	if (p->page < last) {
		snprintf(num, sizeof(num), "%u", p->page + 1);
		if (link(out, p, "page", num, " rel=\"next\"", "Next →"))
			return -1;
	}
	return lit(out, "\n</nav>\n");
}

int html_page_search(strbuf *out, const cgi_params *p,
		     const search_request *req, const search_result *res)
{
	char title[96];
	const char *noun;

	if (p->q[0]) {
		/* The title is the query, cut at a character boundary. */
		size_t n = strlen(p->q);

		if (n > 60) {
			n = 60;
			while (n && ((unsigned char)p->q[n] & 0xc0) == 0x80)
				n--;
		}
		snprintf(title, sizeof(title), "%.*s%s – wiresearch", (int)n, p->q,
			 n < strlen(p->q) ? "…" : "");
	} else {
		snprintf(title, sizeof(title), "wiresearch");
	}
	if (page_start(out, title) || header(out, p) || lit(out, "<main id=\"main\">\n"))
		return -1;
	if (!res)
		return lit(out, "<p class=\"count\">Search news-agency dispatches: type "
				"words or a \"phrase\" above.</p>\n</main>\n") ||
		       page_end(out) ? -1 : 0;
	noun = req->all_versions ? (res->total == 1 ? "version" : "versions")
				 : (res->total == 1 ? "story" : "stories");
	if (strbuf_addf(out, "<p class=\"count\" role=\"status\"><strong>%u</strong> %s",
			res->total, noun) ||
	    (res->n_hits && strbuf_addf(out, ", showing %u–%u", req->offset + 1,
					req->offset + (unsigned)res->n_hits)) ||
	    lit(out, "</p>\n"))
		return -1;
	if (res->suggestion &&
	    (lit(out, "<p class=\"suggest\">Did you mean ") ||
	     link(out, p, "q", res->suggestion, NULL, res->suggestion) ||
	     lit(out, "?</p>\n")))
		return -1;
	if (lit(out, "<div class=\"layout\">\n<div class=\"results\">\n"))
		return -1;
	if (res->n_hits) {
		if (strbuf_addf(out, "<ol class=\"hits\" start=\"%u\">\n", req->offset + 1))
			return -1;
		for (size_t i = 0; i < res->n_hits; i++)
			if (hit(out, p, &res->hits[i], req->all_versions))
				return -1;
		if (lit(out, "</ol>\n"))
			return -1;
	} else if (lit(out, "<p>No dispatch matches. Try fewer words, another "
			    "spelling, or remove a filter.</p>\n")) {
		return -1;
	}
	if (pages(out, p, res) || lit(out, "</div>\n"))
		return -1;
	if (res->n_facets) {
		if (lit(out, "<aside class=\"facets\" aria-label=\"Refine the search\">\n") ||
		    facet_list(out, p, res, "agency", "agency", "Agency", p->agency) ||
		    facet_list(out, p, res, "place", "place", "Place", p->place) ||
		    facet_list(out, p, res, "language", "lang", "Language", p->lang) ||
		    month_chart(out, res) || lit(out, "</aside>\n"))
			return -1;
	}
	return lit(out, "</div>\n</main>\n") || page_end(out) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* One dispatch, whole. */

static unsigned version_of(const search_hit *h)
{
	return h->d.version ? h->d.version : 1;
}

static int story_text(strbuf *out, const search_hit *h, const query_highlight *hl,
		      int level)
{
	const dispatch *d = &h->d;
	char *headline;
	int r;

	if (display_headline(d, &headline))
		return -1;
	r = strbuf_addf(out, "<h%d>", level) ||
	    marked_text(out, headline ? headline : "(no headline)", hl) ||
	    strbuf_addf(out, "</h%d>\n<p class=\"meta\">", level);
	free(headline);
	if (r)
		return -1;
	if (h->date[0] && (lit(out, "<time datetime=\"") || attr(out, h->date) ||
			   lit(out, "\">") || html_escape_text(out, h->date, 10) ||
			   lit(out, "</time> · ")))
		return -1;
	if (d->agency && (text(out, d->agency) || lit(out, " · ")))
		return -1;
	for (size_t j = 0; j < d->n_places; j++)
		if (lit(out, j ? ", " : "") || text(out, d->places[j]))
			return -1;
	if (strbuf_addf(out, "%sversion %u", d->n_places ? " · " : "", version_of(h)) ||
	    (d->language && (lit(out, " · language ") || text(out, d->language))) ||
	    (h->withdrawn && lit(out, " · <strong>withdrawn</strong>")) ||
	    lit(out, "</p>\n"))
		return -1;
	if (d->byline && (lit(out, "<p class=\"byline\">") || marked_text(out, d->byline, hl) ||
			  lit(out, "</p>\n")))
		return -1;
	if (d->dateline && (lit(out, "<p class=\"dateline\">") ||
			    marked_text(out, d->dateline, hl) || lit(out, "</p>\n")))
		return -1;
	for (size_t i = 0; i < d->n_paragraphs; i++)
		if (lit(out, "<p>") || marked_text(out, d->paragraphs[i], hl) ||
		    lit(out, "</p>\n"))
			return -1;
	if (d->signoff && (lit(out, "<p class=\"meta\">") || text(out, d->signoff) ||
			   lit(out, "</p>\n")))
		return -1;
	return 0;
}

int html_page_story(strbuf *out, const cgi_params *p,
		    const search_result *versions, const query_highlight *hl)
{
	const search_hit *cur = NULL;
	char *headline;
	int r;

	/* The current version is the highest-numbered one (ties: newest). */
	for (size_t i = 0; i < versions->n_hits; i++)
		if (!cur || version_of(&versions->hits[i]) >= version_of(cur))
			cur = &versions->hits[i];
	if (!cur)
		return html_page_error(out, p, 404, "There is no dispatch with this id.");
	if (display_headline(&cur->d, &headline))
		return -1;
	r = page_start(out, headline ? headline : "Dispatch");
	free(headline);
	if (r || header(out, p) || lit(out, "<main id=\"main\">\n<p class=\"count\"><a href=\"") ||
	    html_href(out, p, NULL, NULL) || lit(out, "\">← Back to the search</a></p>\n"))
		return -1;
	if (lit(out, "<article class=\"story\">\n") || story_text(out, cur, hl, 1) ||
	    lit(out, "</article>\n"))
		return -1;
	if (strbuf_addf(out, "<section class=\"versions\"><h2>Versions (%zu)</h2>\n<ol>\n",
			versions->n_hits))
		return -1;
	for (size_t i = 0; i < versions->n_hits; i++) {
		const search_hit *h = &versions->hits[i];
		char *hl_text;

		if (display_headline(&h->d, &hl_text))
			return -1;
		r = strbuf_addf(out, "<li value=\"%u\">", version_of(h)) ||
		    (h == cur ? lit(out, "<strong>shown above</strong> · ") : 0) ||
		    (h->date[0] ? (html_escape_text(out, h->date, 10) || lit(out, " · ")) : 0) ||
		    text(out, hl_text ? hl_text : "");
		free(hl_text);
		if (r)
			return -1;
		if (h != cur && (lit(out, "<details><summary>Read version ") ||
				 strbuf_addf(out, "%u", version_of(h)) ||
				 lit(out, "</summary>\n") || story_text(out, h, hl, 3) ||
				 lit(out, "</details>")))
			return -1;
		if (lit(out, "</li>\n"))
			return -1;
	}
	return lit(out, "</ol>\n</section>\n</main>\n") || page_end(out) ? -1 : 0;
}

int html_page_error(strbuf *out, const cgi_params *p, int status,
		    const char *message)
{
	char title[64];

	snprintf(title, sizeof(title), "Error %d – wiresearch", status);
	return page_start(out, title) || header(out, p) ||
	       lit(out, "<main id=\"main\">\n<div class=\"error\" role=\"alert\">") ||
	       strbuf_addf(out, "<h1>Error %d</h1>\n<p>", status) ||
	       text(out, message) || lit(out, "</p></div>\n</main>\n") || page_end(out)
		       ? -1 : 0;
}
