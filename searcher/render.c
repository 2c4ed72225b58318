/*
 * render.c - text, JSON Lines and TSV output of a result page.
 */
#include "render.h"

#include "alloc.h"
#include "html.h"
#include "strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *render_marked(const snippet *s, const char *open, const char *close)
{
	strbuf sb = STRBUF_INIT;
	size_t at = 0;

	if (s->cut_start && strbuf_addstr(&sb, "… "))
		goto oom;
	for (size_t i = 0; i < s->n_marks; i++) {
		const snippet_mark *m = &s->marks[i];

		if (strbuf_add(&sb, s->text + at, m->start - at) ||
		    strbuf_addstr(&sb, open) ||
		    strbuf_add(&sb, s->text + m->start, m->end - m->start) ||
		    strbuf_addstr(&sb, close))
			goto oom;
		at = m->end;
	}
	if (s->text && strbuf_add(&sb, s->text + at, s->len - at))
		goto oom;
	if (s->cut_end && strbuf_addstr(&sb, " …"))
		goto oom;
	return strbuf_detach(&sb, NULL);
oom:
	strbuf_release(&sb);
	return NULL;
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The snippet as HTML: the text escaped, the matches in <mark>, an
 * ellipsis where it was cut (malloc'd; NULL when out of memory). */
static char *snippet_html(const snippet *s)
{
	strbuf sb = STRBUF_INIT;

	if (strbuf_addstr(&sb, s->cut_start ? "… " : "") ||
	    (s->text && html_marked(&sb, s->text, s->len, s->marks, s->n_marks)) ||
	    strbuf_addstr(&sb, s->cut_end ? " …" : "")) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

json_t *render_hit_json(const search_hit *hit)
{
	const dispatch *d = &hit->d;
	json_t *o = json_object(), *places = json_array(), *marks = json_array();
	char *headline = dispatch_display_headline(d);
	char *html = snippet_html(&hit->snip);

	if (!o || !places || !marks)
		goto oom;
	for (size_t i = 0; i < d->n_places; i++)
		json_array_append_new(places, json_string(d->places[i]));
	for (size_t i = 0; i < hit->snip.n_marks; i++)
		json_array_append_new(marks, json_pack("[I,I]",
			(json_int_t)hit->snip.marks[i].start,
			(json_int_t)hit->snip.marks[i].end));
	json_object_set_new(o, "id", string_or_null(d->id));
	json_object_set_new(o, "rank", json_integer(hit->rank));
	json_object_set_new(o, "score", json_real(hit->score));
	json_object_set_new(o, "percent", json_integer(hit->percent));
	json_object_set_new(o, "date", hit->date[0] ? json_string(hit->date) : json_null());
	json_object_set_new(o, "agency", string_or_null(d->agency));
	json_object_set_new(o, "places", places);
	json_object_set_new(o, "language", string_or_null(d->language));
	json_object_set_new(o, "headline", string_or_null(headline));
	json_object_set_new(o, "version", json_integer(d->version ? d->version : 1));
	json_object_set_new(o, "versions", json_integer(hit->n_versions));
	json_object_set_new(o, "matched_version", json_integer(hit->matched_version));
	json_object_set_new(o, "withdrawn", json_boolean(hit->withdrawn));
	json_object_set_new(o, "snippet", string_or_null(hit->snip.text));
	json_object_set_new(o, "marks", marks);
	json_object_set_new(o, "snippet_html", string_or_null(html));
	json_object_set_new(o, "source", string_or_null(d->source_file));
	free(headline);
	free(html);
	return o;
oom:
	json_decref(o);
	json_decref(places);
	json_decref(marks);
	free(headline);
	free(html);
	return NULL;
}

json_t *render_summary_json(const search_request *req, const search_result *res)
{
	json_t *o = json_object(), *facets = json_object();

	if (!o || !facets) {
		json_decref(o);
		json_decref(facets);
		return NULL;
	}
	json_object_set_new(o, "total", json_integer(res->total));
	json_object_set_new(o, "offset", json_integer(req->offset));
	json_object_set_new(o, "returned", json_integer((json_int_t)res->n_hits));
	for (size_t i = 0; i < res->n_facets; i++) {
		json_t *f = json_object();

		for (size_t j = 0; j < res->facets[i].n; j++)
			json_object_set_new(f, res->facets[i].values[j].value,
					    json_integer(res->facets[i].values[j].count));
		json_object_set_new(facets, res->facets[i].name, f);
	}
	json_object_set_new(o, "facets", facets);
	json_object_set_new(o, "suggestion", string_or_null(res->suggestion));
	json_object_set_new(o, "seconds", json_real(res->seconds));
	if (res->parsed)
		json_object_set_new(o, "parsed", json_string(res->parsed));
	if (res->xapian)
		json_object_set_new(o, "xapian", json_string(res->xapian));
	return o;
}

static int dump_line(FILE *out, json_t *o)
{
	char *s;
	int r;

	if (!o) {
		errno = ENOMEM;
		return -1;
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s) {
		errno = ENOMEM;
		return -1;
	}
	r = fprintf(out, "%s\n", s) < 0 ? -1 : 0;
	free(s);
	return r;
}

static int page_json(FILE *out, const search_request *req,
		     const search_result *res, const render_options *o)
{
	(void)o;
	for (size_t i = 0; !req->count_only && i < res->n_hits; i++) {
		json_t *h = render_hit_json(&res->hits[i]);

		if (h)
			json_object_set_new(h, "type", json_string("hit"));
		if (dump_line(out, h))
			return -1;
	}
	{
		json_t *s = render_summary_json(req, res);

		if (s)
			json_object_set_new(s, "type", json_string("summary"));
		return dump_line(out, s);
	}
}

/* TSV fields cannot hold tabs or newlines: they become spaces. */
static int tsv_field(FILE *out, const char *s, int last)
{
	for (; s && *s; s++)
		if (fputc(*s == '\t' || *s == '\n' ? ' ' : *s, out) == EOF)
			return -1;
	return fputc(last ? '\n' : '\t', out) == EOF ? -1 : 0;
}

static int page_tsv(FILE *out, const search_request *req,
		    const search_result *res, const render_options *o)
{
	(void)o;
	if (req->count_only)
		return fprintf(out, "%u\n", res->total) < 0 ? -1 : 0;
	if (fputs("rank\tscore\tdate\tagency\tplaces\tid\theadline\tsnippet\n", out) == EOF)
		return -1;
	for (size_t i = 0; i < res->n_hits; i++) {
		const search_hit *h = &res->hits[i];
		char num[64];
		strbuf places = STRBUF_INIT;
		char *headline = dispatch_display_headline(&h->d);
		int r;

		for (size_t j = 0; j < h->d.n_places; j++)
			if ((j && strbuf_addstr(&places, ", ")) ||
			    strbuf_addstr(&places, h->d.places[j]))
				break;
		snprintf(num, sizeof(num), "%u\t%.4f", h->rank, h->score);
		r = tsv_field(out, num, 0) || tsv_field(out, h->date, 0) ||
		    tsv_field(out, h->d.agency, 0) ||
		    tsv_field(out, strbuf_str(&places), 0) ||
		    tsv_field(out, h->d.id, 0) || tsv_field(out, headline, 0) ||
		    tsv_field(out, h->snip.text, 1);
		strbuf_release(&places);
		free(headline);
		if (r)
			return -1;
	}
	return 0;
}

static int page_text(FILE *out, const search_request *req,
		     const search_result *res, const render_options *o)
{
	const char *bold = o->color ? "\033[1m" : "";
	const char *dim = o->color ? "\033[2m" : "";
	const char *off = o->color ? "\033[0m" : "";
	const char *mo = o->color ? "\033[1;33m" : (o->mark_open ? o->mark_open : "[");
	const char *mc = o->color ? "\033[0m" : (o->mark_close ? o->mark_close : "]");

	if (req->count_only)
		return fprintf(out, "%u\n", res->total) < 0 ? -1 : 0;
	if (res->suggestion &&
	    fprintf(out, "Did you mean: %s\n\n", res->suggestion) < 0)
		return -1;
	for (size_t i = 0; i < res->n_hits; i++) {
		const search_hit *h = &res->hits[i];
		char *headline = dispatch_display_headline(&h->d);
		char *snip = render_marked(&h->snip, mo, mc);
		unsigned shown = h->d.version ? h->d.version : 1;
		int r;

		r = fprintf(out, "%s%u.%s %s%.10s%s  %s", bold, h->rank, off, dim,
			    h->date[0] ? h->date : "----------", off,
			    h->d.agency ? h->d.agency : "-");
		for (size_t j = 0; r >= 0 && j < h->d.n_places; j++)
			r = fprintf(out, "%s%s", j ? ", " : "  ", h->d.places[j]);
		if (r >= 0 && h->n_versions > 1)
			r = fprintf(out, "  (version %u of %u)", shown, h->n_versions);
		if (r >= 0 && h->n_versions > 1 && h->matched_version &&
		    h->matched_version != shown)
			r = fprintf(out, " matched in version %u of %u",
				    h->matched_version, h->n_versions);
		if (r >= 0 && h->withdrawn)
			r = fprintf(out, "  WITHDRAWN");
		if (r >= 0)
			r = fprintf(out, "\n   %s%s%s\n", bold, headline ? headline : "", off);
		/* Without a headline the first sentence stands in for it: a
		 * snippet with no match would only say it again. */
		if (r >= 0 && snip && *snip && (h->d.headline || h->snip.n_marks))
			r = fprintf(out, "   %s\n", snip);
		if (r >= 0)
			r = fprintf(out, "   %s%s%s\n\n", dim, h->d.id ? h->d.id : "", off);
		free(headline);
		free(snip);
		if (r < 0)
			return -1;
	}
	if (res->n_facets) {
		for (size_t i = 0; i < res->n_facets; i++) {
			if (fprintf(out, "%s:", res->facets[i].name) < 0)
				return -1;
			for (size_t j = 0; j < res->facets[i].n && j < 20; j++)
				if (fprintf(out, " %s (%u)%s", res->facets[i].values[j].value,
					    res->facets[i].values[j].count,
					    j + 1 < res->facets[i].n && j < 19 ? "," : "") < 0)
					return -1;
			if (fputc('\n', out) == EOF)
				return -1;
		}
		if (fputc('\n', out) == EOF)
			return -1;
	}
	if (fprintf(out, "%s%u %s, showing %u-%u (%.3f s)%s\n", dim, res->total,
		    req->all_versions ? (res->total == 1 ? "version" : "versions")
				      : (res->total == 1 ? "story" : "stories"),
		    res->n_hits ? req->offset + 1 : 0,
		    req->offset + (unsigned)res->n_hits, res->seconds, off) < 0)
		return -1;
	return 0;
}

static const renderer renderers[] = {
	{ "text", page_text },
	{ "json", page_json },
	{ "tsv", page_tsv },
};

const renderer *renderer_find(const char *name)
{
	for (size_t i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++)
		if (!strcmp(renderers[i].name, name))
			return &renderers[i];
	return NULL;
}
