/*
 * generation.h - the on-disk layout of an index that wire-index manages,
 * and the atomic switch from one generation to the next.
 *
 *   DB/XAPIANDB          Xapian stub file naming the live databases:
 *                        "auto gen-000002/db", or one line per shard
 *                        "auto gen-000002/shard-0" ...
 *   DB/gen-NNNNNN/       a complete generation (db/ or shard-K/ inside)
 *   DB/gen-NNNNNN.build/ a generation being built (a leftover if no job
 *                        runs: removed by the next job)
 *   DB/wire.lock         the job lock (flock), never deleted
 *
 * Xapian opens a directory holding XAPIANDB as that stub, so searchers
 * simply open DB.  A rebuild switches generations by writing the stub to a
 * temporary file, fsyncing it, renaming it over XAPIANDB and fsyncing the
 * directory: a searcher reads the stub once, so it sees the old generation
 * or the new one, never a mix (a symlink would be followed file by file).
 * The previous generation is kept until the next switch, so searchers that
 * opened it finish their queries.
 */
#ifndef WIRE_GENERATION_H
#define WIRE_GENERATION_H

#include <stddef.h>

#define GEN_STUB "XAPIANDB"
#define GEN_LOCK "wire.lock"

/* What kind of index lives at a path. */
enum gen_layout {
	GEN_NONE = 0,     /* nothing there yet */
	GEN_PLAIN,        /* a bare glass database directory */
	GEN_MANAGED       /* our layout: a stub and generations */
};

typedef struct generation {
	enum gen_layout layout;
	unsigned number;     /* live generation (0 when none) */
	char **dbs;          /* paths of the live databases, openable */
	size_t n_dbs;
} generation;

/* Take the job lock of the index at DB (creating DB and the lock file if
 * needed).  Returns the lock's file descriptor (close it to release), -2
 * when another job holds it and WAIT is 0, -1 on error (message in ERR). */
int gen_lock(const char *db, int wait, char *err, size_t errlen);

/* Find out what lives at DB.  Returns 0, or -1 with a message (a stub that
 * names remote databases cannot be written to, a damaged stub...). */
int gen_read(const char *db, generation *g, char *err, size_t errlen);
void gen_release(generation *g);

/* Make DB a managed index with an empty first generation of SHARDS
 * databases (1: a single database) and fill G.  DB must hold nothing. */
int gen_create(const char *db, unsigned shards, generation *g, char *err,
	       size_t errlen);

/* The directory of generation NUMBER of DB (BUILDING: its .build
 * directory), malloc'd. */
char *gen_dir(const char *db, unsigned number, int building);

/* The highest complete generation under DB numbered below NUMBER (0 when
 * none): the one searchers may still hold after the last switch. */
unsigned gen_number_before(const char *db, unsigned number);

/* The highest generation number present under DB, built or not. */
unsigned gen_last_number(const char *db);

/* Make the finished generation NUMBER (its .build directory holding
 * SHARDS databases, or "db" when SHARDS is 0) the live one: rename it into
 * place and switch the stub atomically.  Returns 0 or -1 with ERR. */
int gen_switch(const char *db, unsigned number, unsigned shards, char *err,
	       size_t errlen);

/* Remove leftovers: every generation but LIVE and the one before it, and
 * every .build directory.  Failures are ignored (retried next time). */
void gen_cleanup(const char *db, unsigned live, unsigned previous);

/* The shard (0 .. N-1) of story ID: a stable hash, so every version of a
 * story lives in one shard. */
unsigned gen_shard_of(const char *id, unsigned n);

/* "A/B", malloc'd; NULL when out of memory. */
char *gen_path_join(const char *a, const char *b);

/* Remove the directory tree at PATH.  0 or -1. */
int gen_remove_tree(const char *path);

#endif
