/*
 * date.c - ISO 8601 dates to UTC seconds and back, without timegm() or the
 * TZ environment: days are counted from the civil calendar directly
 * (proleptic Gregorian, Howard Hinnant's days_from_civil algorithm).
 */
#include "dispatch.h"

#include <string.h>

/* Years we accept: four-digit ISO years. */
#define DATE_YEAR_MIN 1000
#define DATE_YEAR_MAX 9999

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return dim[m - 1];
}

/* Days from 1970-01-01 to Y-M-D (valid date). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t date_from_ymd(int y, int m, int d, int hh, int mm, int ss)
{
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX || m < 1 || m > 12 ||
	    d < 1 || d > days_in_month(y, m) || hh < 0 || hh > 23 ||
	    mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return -1;
	/* ss == 60 (a leap second) lands on the next minute, as POSIX
	 * time does. */
	return days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

/* N digits at S as a number, or -1 when they are not all digits. */
static int digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parse a zone at S (N bytes, all of what remains): "", "Z", "+05:00",
 * "-0300", "+05".  Offset east of UTC in seconds into *OFF; 0 or -1. */
static int parse_zone(const char *s, size_t n, int *off)
{
	int sign, hh, mm = 0;

	*off = 0;
	if (n == 0)
		return 0;
	if (n == 1 && (s[0] == 'Z' || s[0] == 'z'))
		return 0;
	if (s[0] != '+' && s[0] != '-')
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	s++;
	n--;
	if (n != 2 && n != 4 && !(n == 5 && s[2] == ':'))
		return -1;
	hh = digits(s, 2);
	if (n == 4)
		mm = digits(s + 2, 2);
	else if (n == 5)
		mm = digits(s + 3, 2);
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
		return -1;
	*off = sign * (hh * 3600 + mm * 60);
	return 0;
}

int date_parse_iso(const char *s, size_t len, int64_t *out)
{
	int y, m, d, hh = 0, mi = 0, ss = 0, off = 0;
	int extended;
	size_t i;
	int64_t t;

	if (!s)
		return -1;
	while (len && is_space(s[0])) {
		s++;
		len--;
	}
	while (len && is_space(s[len - 1]))
		len--;

	/* Date part: "YYYY-MM-DD" (extended) or "YYYYMMDD" (basic). */
	if (len >= 10 && s[4] == '-' && s[7] == '-') {
		extended = 1;
		y = digits(s, 4);
		m = digits(s + 5, 2);
		d = digits(s + 8, 2);
		i = 10;
	} else if (len >= 8) {
		extended = 0;
		y = digits(s, 4);
		m = digits(s + 4, 2);
		d = digits(s + 6, 2);
		i = 8;
	} else {
		return -1;
	}
	if (y < 0 || m < 0 || d < 0)
		return -1;
	/* "2025-04-190" or "202504190": more digits than a date has. */
	if (i < len && is_digit(s[i]))
		return -1;

	if (i < len) {
		/* A time must follow: "T" (or a space in the extended form). */
		if (s[i] != 'T' && s[i] != 't' && !(extended && s[i] == ' '))
			return -1;
		i++;
		if (extended) {
			if (len - i < 5 || s[i + 2] != ':')
				return -1;
			hh = digits(s + i, 2);
			mi = digits(s + i + 3, 2);
			i += 5;
			if (i < len && s[i] == ':') {
				if (len - i < 3)
					return -1;
				ss = digits(s + i + 1, 2);
				i += 3;
			}
		} else {
			if (len - i < 4)
				return -1;
			hh = digits(s + i, 2);
			mi = digits(s + i + 2, 2);
			i += 4;
			if (len - i >= 2 && is_digit(s[i])) {
				ss = digits(s + i, 2);
				i += 2;
			}
		}
		if (hh < 0 || mi < 0 || ss < 0)
			return -1;
		/* Fractions of a second are read and dropped. */
		if (i < len && (s[i] == '.' || s[i] == ',')) {
			size_t f = ++i;

			while (i < len && is_digit(s[i]))
				i++;
			if (i == f)
				return -1;
		}
		if (parse_zone(s + i, len - i, &off))
			return -1;
	}
	t = date_from_ymd(y, m, d, hh, mi, ss);
	if (t == -1)
		return -1;
	*out = t - off;
	return 0;
}

/* Split T into fields, clamped to years 0000..9999 so every field prints
 * in its width. */
static void date_split(int64_t t, int *y, int *m, int *d, int *hh, int *mi,
		       int *ss)
{
	/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
	static const int64_t lo = -62167219200LL, hi = 253402300799LL;
	int64_t days, secs;

	if (t < lo)
		t = lo;
	if (t > hi)
		t = hi;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, y, m, d);
	*hh = (int)(secs / 3600);
	*mi = (int)(secs / 60 % 60);
	*ss = (int)(secs % 60);
}

/* V (>= 0) as WIDTH decimal digits at O. */
static char *put_digits(char *o, int v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return o + width;
}

void date_format_compact(int64_t t, char out[15])
{
	int y, m, d, hh, mi, ss;
	char *o = out;

	date_split(t, &y, &m, &d, &hh, &mi, &ss);
	o = put_digits(o, y, 4);
	o = put_digits(o, m, 2);
	o = put_digits(o, d, 2);
	o = put_digits(o, hh, 2);
	o = put_digits(o, mi, 2);
	o = put_digits(o, ss, 2);
	*o = '\0';
}

void date_format_iso(int64_t t, char out[21])
{
	int y, m, d, hh, mi, ss;
	char *o = out;

	date_split(t, &y, &m, &d, &hh, &mi, &ss);
	o = put_digits(o, y, 4);
	*o++ = '-';
	o = put_digits(o, m, 2);
	*o++ = '-';
	o = put_digits(o, d, 2);
	*o++ = 'T';
	o = put_digits(o, hh, 2);
	*o++ = ':';
	o = put_digits(o, mi, 2);
	*o++ = ':';
	o = put_digits(o, ss, 2);
	*o++ = 'Z';
	*o = '\0';
}

/* A valid "YYYY-MM-DD" in S, not glued to other digits; 0 or -1. */
static int find_ymd(const char *s, size_t len, int64_t *out)
{
	size_t i;

	for (i = 0; i + 10 <= len; i++) {
		int y, m, d;
		int64_t t;

		if (s[i + 4] != '-' || s[i + 7] != '-')
			continue;
		if ((i > 0 && is_digit(s[i - 1])) ||
		    (i + 10 < len && is_digit(s[i + 10])))
			continue;
		y = digits(s + i, 4);
		m = digits(s + i + 5, 2);
		d = digits(s + i + 8, 2);
		if (y < 0 || m < 0 || d < 0)
			continue;
		t = date_from_ymd(y, m, d, 0, 0, 0);
		if (t == -1)
			continue;
		*out = t;
		return 0;
	}
	return -1;
}

int date_find_in_name(const char *s, int64_t *out)
{
	const char *base;

	if (!s)
		return -1;
	/* The file's own name first: a dated directory is a weaker hint. */
	base = strrchr(s, '/');
	if (base && !find_ymd(base + 1, strlen(base + 1), out))
		return 0;
	return find_ymd(s, strlen(s), out);
}
