/*
 * xapian_shards.h: the C++ side of sharded indexes, for the binding's other
 * files (xapian_db.cc): what a search over several databases does
 * otherwise than over one.  Included only by core/xapian_*.cc.
 */
#ifndef NS_XAPIAN_SHARDS_H
#define NS_XAPIAN_SHARDS_H

#include "core/xapian_impl.h"

/*
 * The ESet (query expansion) of the first n results of top, over a sharded
 * index's database db (ns__xdb_combine's), as Enquire::get_eset(want, rset,
 * &dec) gives it over one database (rset those n results): the same terms
 * with the same weights.  Xapian's own, over several databases, either
 * estimates the terms' frequencies (and weighs them otherwise) or, exact,
 * asks every remote shard for every term of the articles; here the
 * articles' termlists bound each term's weight, and only the terms whose
 * bound could place them are weighed exactly.
 */
Xapian::ESet ns__shards_eset(Xapian::Enquire &enq,
                             const ns__xdb *db,
                             const Xapian::MSet &top,
                             Xapian::doccount n,
                             const Xapian::ExpandDecider &dec,
                             Xapian::termcount want);

#endif /* NS_XAPIAN_SHARDS_H */
