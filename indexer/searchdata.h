/*
 * searchdata.h: what the searcher needs from an article beyond its terms,
 * computed when the article is indexed (schema.h): the near-duplicate key,
 * the source name for facets, and the spelling data.
 */
#ifndef NS_SEARCHDATA_H
#define NS_SEARCHDATA_H

#include "core/db.h"

/**
 * Add a's search data to doc (values NS_SLOT_DUPKEY and NS_SLOT_SOURCE)
 * and to db's spelling data (the title's words).  db is a writer.
 * Returns NS_OK; NS_ERR_NOMEM; NS_ERR_BACKEND.
 */
ns_status ns__searchdata_add(ns_db *db, ns__xdoc *doc, const ns_article *a);

/**
 * The near-duplicate key of text (see searchdata.c) as 16 hex digits and
 * a NUL in out.  Returns 0 when the text is too short to have one.
 */
int ns__dupkey(const char *text, size_t len, char out[17]);

#endif /* NS_SEARCHDATA_H */
