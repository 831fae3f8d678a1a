/*
 * schema.h: the index format, documented once.  Change it in the same commit
 * as the code that reads or writes it, and bump NS_SCHEMA_VERSION when an
 * older nsearch could no longer read what a newer one writes.
 *
 * An nsearch index is a Xapian (glass) database directory.  Each article is
 * one Xapian document:
 *
 * | what              | where                       | notes                   |
 * |-------------------|-----------------------------|-------------------------|
 * | body words        | term = analyzer term        | positions (see below)   |
 * | title words       | term = analyzer term        | positions, wdf          |
 * |                   |                             | NS_TITLE_WDF each       |
 * | title words       | "S" + term                  | positions (title:)      |
 * | source words      | "B" + folded word           | boolean (source:)       |
 * | author words      | "A" + folded word           | boolean (author:)       |
 * | url host          | "H" + host, and each parent | boolean (site:)         |
 * |                   | domain (news.bbc.co.uk,     |                         |
 * |                   | bbc.co.uk, co.uk)           |                         |
 * | unique id         | "Q" + id (long ids hashed); | boolean, one per doc    |
 * |                   | an id of 1-9 digits from a  |                         |
 * |                   | file: + TAB + 16 hex digits |                         |
 * |                   | (its file's hash)           |                         |
 * | source name       | "XB" + folded source        | boolean; counts sources |
 * | source file       | "F" + 16 hex digits         | boolean; see below      |
 * | date              | value NS_SLOT_DATE          | "YYYYMMDDhhmmss", the   |
 * |                   |                             | publisher's clock       |
 * | id                | value NS_SLOT_ID            | the article id          |
 * | content hash      | value NS_SLOT_HASH          | 16 hex digits           |
 * | near-duplicate key| value NS_SLOT_DUPKEY        | 16 hex digits; collapse |
 * |                   |                             | key (searchdata.c)      |
 * | source name       | value NS_SLOT_SOURCE        | as given, trimmed; the  |
 * |                   |                             | source facet            |
 * | position map      | values NS_SLOT_POSMAP to    | positions "2" only: one |
 * |                   | NS_SLOT_POSMAP + 7          | part each (posmap.h)    |
 * | sentence index    | value NS_SLOT_SENTENCES     | positions "2" only: the |
 * |                   |                             | body's sentences, for   |
 * |                   |                             | snippets (posmap.h)     |
 * | stored record     | document data               | see store.h             |
 *
 * The spelling data (Xapian's spelling table) holds the folded words of
 * the titles, each counted once per article: "did you mean" suggestions
 * come from it (searcher/suggest.c).  Indexes made before these search data
 * existed still read; their articles are not collapsed, not counted by
 * source, and give no suggestion until indexed again.
 *
 * Word positions: an index keeps them in position maps (the default),
 * in Xapian's position table, or not at all, as chosen when it is
 * created or rebuilt (NS_OPEN_POSITION_MAPS, NS_OPEN_POSITIONS,
 * NS_OPEN_NO_POSITIONS; `nsearch index --position-maps`, `--positions`,
 * `--no-positions`) and recorded in nsearch.positions ("2", "1", "0":
 * NS_POSITIONS_*).  In Xapian's table ("1"), phrases, NEAR/n and ADJ/n
 * are Xapian's positional operators.  Otherwise they match the articles
 * that hold all their words (the terms' postings) and whose positions
 * hold the words at the right places (searcher/verify.c): read from the
 * article's position map ("2", posmap.h: the terms are not given
 * positions in Xapian), or, for an article without one, found by
 * analyzing its stored title and text again with the index's analyzer
 * (a cost per article holding the words, which grows with the archive).
 * Sizes of the compacted index per byte of text, on the White House
 * sample and the briefing-room archive: maps 1.25x and 0.95x, Xapian's
 * table 1.90x and 1.46x, none 0.95x and 0.68x.  Either way the positions
 * are numbered alike:
 * the title's from 0, the body's from the title's last + NS_TITLE_GAP (0
 * without a title), so no phrase spans the title and the body.  Only the
 * stemmed term is indexed: phrases match on stems, which users of news
 * search do not notice.
 *
 * Formats: 1 always kept positions and had no nsearch.positions.  2 says
 * in nsearch.positions ("1" or "0"; absent: "0"; "2", maps, came within
 * format 3: an older nsearch reads such an index as one without
 * positions, which answers the same, slower); every commit writes
 * both keys (ns__db_commit), so a format 1 index updated by this nsearch
 * becomes a format 2 one with "1".  An older nsearch refuses format 2
 * ("index format 2 is newer than this nsearch reads") rather than answer
 * phrases wrongly on an index without positions.  A sharded index whose
 * shards all keep positions, or that has a remote shard (xapian-tcpsrv
 * runs no nsearch code, so it can only match on positions), uses Xapian's
 * operators; shard writers keep positions, and a search with a remote
 * shard refuses a phrase when a shard holds articles but no positions (a
 * plain index added as a shard), where Xapian would match the words
 * anywhere.
 *
 * Format 3 writes stored records of version 2 (store.h: the fields
 * compressed too, so Xapian no longer zlib-compresses the document data,
 * which cost every search an inflate per result); it reads records of
 * both versions, so a format 2 index updated by this nsearch becomes a
 * format 3 one holding both.  An older nsearch refuses format 3 rather
 * than call its new records corrupt.
 *
 * Format 4 writes position maps of version 2 (posmap.h: a lookup adds up
 * the lists before its own) and each article's sentence index (value
 * NS_SLOT_SENTENCES); it reads maps of both versions, and an article
 * without a sentence index gets its snippet from its whole text, so a
 * format 3 index updated by this nsearch becomes a format 4 one holding
 * both.  An older nsearch refuses format 4 rather than call its maps
 * damaged.
 *
 * Metadata keys:
 * | key                | value                                          |
 * |--------------------|------------------------------------------------|
 * | nsearch.schema     | NS_SCHEMA_VERSION as decimal text              |
 * | nsearch.analyzer   | the analyzer spec (analyze.h)                  |
 * | nsearch.zdict      | the zstd dictionary of the stored texts        |
 * | nsearch.zdict.file | "ID SIZE" (ID 8 hex digits): the dictionary's   |
 * |                    | file beside the tables (NS_ZDICT_FILE) holds   |
 * |                    | nsearch.zdict; absent or not matching: read    |
 * |                    | nsearch.zdict                                  |
 * | nsearch.zdict:ID   | merged from shards: another shard's dictionary |
 * |                    | (ID: its zstd id, 8 hex digits)                |
 * | nsearch.updated    | UTC ISO 8601 time of the last commit           |
 * | nsearch.positions  | "2": position maps; "1": Xapian's positions;   |
 * |                    | "0": none (format 2)                           |
 * | nsearch.file:PATH  | what the last run indexed from PATH (indexer)  |
 *
 * Sharded indexes (core/shards.c, core/shards.h): each shard is an index
 * of this format, with its own dictionary; a stored text's zstd frame
 * names its dictionary by id, and a reader of several shards decodes each
 * with its own.  A merge (Xapian's compaction of the shards into one
 * index) keeps the first shard's metadata, and records the other shards'
 * dictionaries under nsearch.zdict:ID, which readers load too.
 *
 * Incremental updates (indexer/track.c).  Each top-level input file that
 * was read to its end has a record under NS_META_FILE + its absolute path
 * (paths over NS_MAX_FILE_KEY bytes: "#" + 16 hex digits of its hash):
 * "1 SIZE MTIME_NS HASH ARTICLES\nPATH" (format 1; size in bytes, mtime in
 * ns since the epoch, HASH 16 hex digits of the file's bytes, ARTICLES the
 * articles it gave).  Every article read from it carries the boolean term
 * "F" + 16 hex digits of the hash of the path: deleting a file's articles
 * is one delete by term, atomic with the rest of the commit, and needs no
 * list of ids.  A record is written after the file's articles, in the same
 * commit batch, so a killed run never records a file whose articles are
 * not committed.  A file whose reading has not ended (a run killed inside
 * it, a read error) but has articles in the index has a record of size
 * NS_TRACK_PENDING_SIZE (UINT64_MAX), written with its first article:
 * no file matches it, so the file is read again, and --prune finds its
 * articles once it is gone.  A re-run skips a file whose size and mtime match its
 * record without reading it, and one whose size and hash match (its mtime
 * is updated).  A changed file is read again: an article whose
 * NS_SLOT_HASH (of all its fields, its text and its file) is unchanged is
 * left alone, the others are replaced, and the file's articles that were
 * not met again are deleted.  An article met in two files (same id) is
 * stored once, with the file read last, unless its id is local (1-9
 * digits: kept once per file).  Articles added through
 * ns_db_add_article() have no "F" term and no record.
 */
#ifndef NS_SCHEMA_H
#define NS_SCHEMA_H

#define NS_SCHEMA_VERSION 4

#define NS_PREFIX_TITLE  "S"
#define NS_PREFIX_SOURCE "B"
#define NS_PREFIX_AUTHOR "A"
#define NS_PREFIX_HOST   "H"
#define NS_PREFIX_ID     "Q"
#define NS_PREFIX_SOURCE_NAME "XB"
#define NS_PREFIX_FILE   "F"

#define NS_SLOT_DATE 0
#define NS_SLOT_ID   1
#define NS_SLOT_HASH 2
#define NS_SLOT_DUPKEY 3
#define NS_SLOT_SOURCE 4
#define NS_SLOT_POSMAP 5 /* to NS_SLOT_POSMAP + 7 */
#define NS_SLOT_SENTENCES 13

/* How an index keeps word positions (NS_META_POSITIONS: "0", "1", "2"). */
#define NS_POSITIONS_NONE   0 /* none: phrases checked on the stored text */
#define NS_POSITIONS_XAPIAN 1 /* Xapian's position table */
#define NS_POSITIONS_MAP    2 /* a position map per article (posmap.h) */

/* Within-document frequency of a title word in the unprefixed terms: how
 * much more a title word counts than a body word for BM25.  4 by
 * measurement on the judged collections (mean MAP 0.4084 with 2, 0.4125
 * with 4, 0.4125 with 6, 0.4042 with 1; k1 1.6, b 0.75).  Indexes written
 * with another value still read; their articles rank with it. */
#define NS_TITLE_WDF 4
/* Position gap between title and body. */
#define NS_TITLE_GAP 100

/* Xapian rejects terms over 245 bytes; ids longer than this are hashed. */
#define NS_MAX_ID_TERM 200
/* Longer paths are hashed in file record keys (Xapian's key limit). */
#define NS_MAX_FILE_KEY 200

#define NS_META_SCHEMA   "nsearch.schema"
#define NS_META_ANALYZER "nsearch.analyzer"
#define NS_META_ZDICT    "nsearch.zdict"
#define NS_META_ZDICT_FILE "nsearch.zdict.file"
#define NS_META_UPDATED  "nsearch.updated"
#define NS_META_POSITIONS "nsearch.positions"
#define NS_META_FILE     "nsearch.file:"

#endif /* NS_SCHEMA_H */
