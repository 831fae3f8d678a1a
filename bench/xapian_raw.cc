/*
 * xapian_raw: Xapian 1.4 used the way its own documentation teaches
 * (getting-started guide, index1/search1), as the baseline nsearch is
 * measured against.  Nothing here is tuned.
 *
 *   xapian_raw index DB FILE.jsonl...   build DB afresh (overwrites it)
 *   xapian_raw add DB FILE.jsonl...     add/replace articles in an existing DB
 *   xapian_raw search DB QUERIES.txt [-n N] [--snippets] [--warmup W] [--repeat R]
 *       one query a line; after W unmeasured passes, R measured passes each
 *       print "<microseconds>\t<estimated matches>\t<query>" per query,
 *       then a "# ..." summary line over all of them
 *   xapian_raw trec DB QUERIES.tsv [-n N] [--words] [--tag T]
 *       "<qid>\t<query>" lines; writes a TREC run to stdout.  --words runs
 *       each query as its word tokens ORed instead of through the parser's
 *       syntax (lower-cased, so AND/OR/NOT stay plain words).
 *
 * Indexing (per article): TermGenerator with Stem("english"), STEM_SOME
 * (the default), positions; the title indexed with prefix "S" and again
 * unprefixed, then increase_termpos() and the text unprefixed; the unique
 * id term "Q<id>" and replace_document(), as in the guide's index1.
 * Searching: QueryParser with the same stemmer, STEM_SOME, OP_OR (its
 * default), "title:" mapped to "S", FLAG_DEFAULT; Enquire with BM25Weight
 * defaults.  The document data is the article's JSON record, as the guide
 * stores it; every hit's id is read back from it, and --snippets cuts each
 * hit's snippet with MSet::snippet().
 *
 * JSONL: one flat object a line; string values with every JSON escape
 * (\uXXXX and surrogate pairs included); other values are skipped.
 */
#include <xapian.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// ---- a small JSON reader for flat objects ---------------------------------

struct JsonError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class FlatJson {
  public:
    explicit FlatJson(const std::string &s) : s_(s), i_(0) {}

    // Parses one object into key -> string value (non-string values are
    // skipped and not stored).
    std::map<std::string, std::string> object()
    {
        std::map<std::string, std::string> out;
        ws();
        expect('{');
        ws();
        if (peek() == '}') {
            ++i_;
            return out;
        }
        for (;;) {
            ws();
            std::string key = str();
            ws();
            expect(':');
            ws();
            if (peek() == '"')
                out[key] = str();
            else
                skip_value();
            ws();
            char c = next();
            if (c == '}')
                break;
            if (c != ',')
                throw JsonError("expected ',' or '}'");
        }
        ws();
        if (i_ != s_.size())
            throw JsonError("trailing characters after the object");
        return out;
    }

  private:
    const std::string &s_;
    size_t i_;

    char peek() const
    {
        if (i_ >= s_.size())
            throw JsonError("unexpected end of line");
        return s_[i_];
    }
    char next()
    {
        char c = peek();
        ++i_;
        return c;
    }
    void expect(char c)
    {
        if (next() != c)
            throw JsonError(std::string("expected '") + c + "'");
    }
    void ws()
    {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' ||
                                  s_[i_] == '\r' || s_[i_] == '\n'))
            ++i_;
    }
    unsigned hex4()
    {
        unsigned v = 0;
        for (int k = 0; k < 4; ++k) {
            char c = next();
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= unsigned(c - 'A' + 10);
            else
                throw JsonError("bad \\u escape");
        }
        return v;
    }
    static void utf8(std::string &out, unsigned cp)
    {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }
    std::string str()
    {
        expect('"');
        std::string out;
        for (;;) {
            // Copy the run up to the next quote or backslash in one go.
            size_t stop = i_;
            while (stop < s_.size() && s_[stop] != '"' && s_[stop] != '\\')
                ++stop;
            if (stop == s_.size())
                throw JsonError("unterminated string");
            out.append(s_, i_, stop - i_);
            i_ = stop;
            char c = next();
            if (c == '"')
                return out;
            c = next();
            switch (c) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                unsigned cp = hex4();
                if (cp >= 0xD800 && cp < 0xDC00) {
                    // A high surrogate must be followed by a low one.
                    if (i_ + 6 <= s_.size() && s_[i_] == '\\' &&
                        s_[i_ + 1] == 'u') {
                        size_t save = i_;
                        i_ += 2;
                        unsigned lo = hex4();
                        if (lo >= 0xDC00 && lo < 0xE000) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) +
                                 (lo - 0xDC00);
                        } else {
                            i_ = save;
                            cp = 0xFFFD;
                        }
                    } else {
                        cp = 0xFFFD;
                    }
                } else if (cp >= 0xDC00 && cp < 0xE000) {
                    cp = 0xFFFD; // a lone low surrogate
                }
                utf8(out, cp);
                break;
            }
            default:
                throw JsonError("bad escape");
            }
        }
    }
    void skip_value()
    {
        char c = peek();
        if (c == '"') {
            str();
        } else if (c == '{' || c == '[') {
            char close = c == '{' ? '}' : ']';
            ++i_;
            ws();
            if (peek() == close) {
                ++i_;
                return;
            }
            for (;;) {
                ws();
                if (close == '}') {
                    str();
                    ws();
                    expect(':');
                    ws();
                }
                skip_value();
                ws();
                char d = next();
                if (d == close)
                    return;
                if (d != ',')
                    throw JsonError("bad array or object");
            }
        } else {
            // number, true, false, null
            size_t start = i_;
            while (i_ < s_.size() && std::strchr(",}] \t\r\n", s_[i_]) == nullptr)
                ++i_;
            if (i_ == start)
                throw JsonError("expected a value");
        }
    }
};

// ---- helpers --------------------------------------------------------------

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

[[noreturn]] void usage()
{
    std::fputs(
        "usage: xapian_raw index DB FILE.jsonl...\n"
        "       xapian_raw add DB FILE.jsonl...\n"
        "       xapian_raw search DB QUERIES.txt [-n N] [--snippets] [--warmup W]\n"
        "                         [--repeat R]\n"
        "       xapian_raw trec DB QUERIES.tsv [-n N] [--words] [--tag T]\n",
        stderr);
    std::exit(2);
}

// The word tokens of a query, lower-cased ASCII letters and digits plus any
// non-ASCII byte (so UTF-8 letters stay inside words), joined by spaces.
std::string words_only(const std::string &q)
{
    std::string out;
    bool in_word = false;
    for (unsigned char c : q) {
        bool w = std::isalnum(c) || c >= 0x80;
        if (w) {
            if (!in_word && !out.empty())
                out += ' ';
            out += char(std::tolower(c));
        }
        in_word = w;
    }
    return out;
}

// ---- index / add ----------------------------------------------------------

int cmd_index(const std::string &dbpath, const std::vector<std::string> &files,
              bool overwrite)
{
    Xapian::WritableDatabase db(dbpath, overwrite ? Xapian::DB_CREATE_OR_OVERWRITE
                                                  : Xapian::DB_CREATE_OR_OPEN);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);

    auto t0 = Clock::now();
    unsigned long ndocs = 0, nbad = 0;
    unsigned long long nbytes = 0;
    for (const auto &file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "xapian_raw: cannot open %s\n", file.c_str());
            return 2;
        }
        std::string line;
        unsigned long lineno = 0;
        while (std::getline(in, line)) {
            ++lineno;
            nbytes += line.size() + 1;
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            std::map<std::string, std::string> obj;
            try {
                obj = FlatJson(line).object();
            } catch (const JsonError &e) {
                std::fprintf(stderr, "xapian_raw: %s:%lu: %s\n", file.c_str(),
                             lineno, e.what());
                ++nbad;
                continue;
            }
            const std::string &id = obj["id"];
            if (id.empty()) {
                ++nbad;
                continue;
            }
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(obj["title"], 1, "S");
            tg.index_text(obj["title"]);
            tg.increase_termpos();
            tg.index_text(obj["text"]);
            doc.set_data(line); // the whole record, as the guide stores it
            std::string idterm = "Q" + id;
            doc.add_boolean_term(idterm);
            db.replace_document(idterm, doc);
            ++ndocs;
        }
    }
    db.commit();
    double secs = seconds_since(t0);
    std::fprintf(stderr,
                 "# indexed %lu articles (%lu rejected), %.1f MB in %.3f s; "
                 "database now holds %u\n",
                 ndocs, nbad, nbytes / 1e6, secs, db.get_doccount());
    return nbad ? 3 : 0;
}

// ---- search ---------------------------------------------------------------

struct Hit {
    std::string id;
    double weight;
    std::string snippet;
};

struct Searcher {
    Xapian::Stem stemmer{"english"};
    Xapian::Database db;
    Xapian::QueryParser qp;
    Xapian::Enquire enquire;

    explicit Searcher(const std::string &dbpath) : db(dbpath), enquire(db)
    {
        qp.set_stemmer(stemmer);
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp.set_default_op(Xapian::Query::OP_OR);
        qp.set_database(db);
        qp.add_prefix("title", "S");
    }

    Xapian::Query parse(const std::string &q)
    {
        try {
            return qp.parse_query(q, Xapian::QueryParser::FLAG_DEFAULT);
        } catch (const Xapian::QueryParserError &) {
            return qp.parse_query(q, 0);
        }
    }

    // Runs one query; fills hits (id, weight[, snippet]) and returns the
    // estimated number of matches.
    Xapian::doccount run(const std::string &q, unsigned n, bool snippets,
                         std::vector<Hit> *hits)
    {
        enquire.set_query(parse(q));
        Xapian::MSet mset = enquire.get_mset(0, n);
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            auto rec = FlatJson(it.get_document().get_data()).object();
            Hit h{rec["id"], it.get_weight(), std::string()};
            if (snippets)
                h.snippet = mset.snippet(rec["text"], 200, stemmer);
            if (hits)
                hits->push_back(std::move(h));
        }
        return mset.get_matches_estimated();
    }
};

std::vector<std::string> read_lines(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (!line.empty())
            lines.push_back(line);
    }
    return lines;
}

int cmd_search(const std::string &dbpath, const std::string &qfile, unsigned n,
               bool snippets, int warmup, int repeat)
{
    auto queries = read_lines(qfile);
    Searcher s(dbpath);
    std::vector<Hit> hits;
    for (int r = 0; r < warmup; ++r)
        for (const auto &q : queries)
            s.run(q, n, snippets, nullptr);
    std::vector<double> all;
    for (int r = 0; r < repeat; ++r) {
        for (const auto &q : queries) {
            hits.clear();
            auto t0 = Clock::now();
            Xapian::doccount est = s.run(q, n, snippets, &hits);
            double us = seconds_since(t0) * 1e6;
            all.push_back(us);
            std::printf("%.1f\t%u\t%s\n", us, est, q.c_str());
        }
    }
    std::sort(all.begin(), all.end());
    if (!all.empty()) {
        size_t p99 = size_t(std::ceil(0.99 * double(all.size()))) - 1;
        std::printf("# runs %zu median_us %.1f p99_us %.1f\n", all.size(),
                    all[all.size() / 2], all[p99]);
    }
    return 0;
}

int cmd_trec(const std::string &dbpath, const std::string &qfile, unsigned n,
             bool words, const std::string &tag)
{
    Searcher s(dbpath);
    std::vector<Hit> hits;
    for (const auto &line : read_lines(qfile)) {
        size_t tab = line.find('\t');
        if (tab == std::string::npos)
            continue;
        std::string qid = line.substr(0, tab);
        std::string q = line.substr(tab + 1);
        if (words)
            q = words_only(q);
        hits.clear();
        s.run(q, n, false, &hits);
        int rank = 0;
        for (const auto &h : hits)
            std::printf("%s Q0 %s %d %.6f %s\n", qid.c_str(), h.id.c_str(),
                        ++rank, h.weight, tag.c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 4)
        usage();
    std::string cmd = argv[1], db = argv[2];
    std::vector<std::string> rest(argv + 3, argv + argc);
    try {
        if (cmd == "index" || cmd == "add")
            return cmd_index(db, rest, cmd == "index");
        unsigned n = cmd == "trec" ? 1000 : 10;
        int warmup = 1, repeat = 1;
        bool words = false, snippets = false;
        std::string tag = "xapian", file;
        for (size_t i = 0; i < rest.size(); ++i) {
            const std::string &a = rest[i];
            bool has_next = i + 1 < rest.size();
            if (a == "-n" && has_next)
                n = unsigned(std::strtoul(rest[++i].c_str(), nullptr, 10));
            else if (a == "--warmup" && has_next)
                warmup = std::atoi(rest[++i].c_str());
            else if (a == "--repeat" && has_next)
                repeat = std::max(1, std::atoi(rest[++i].c_str()));
            else if (a == "--tag" && has_next)
                tag = rest[++i];
            else if (a == "--words")
                words = true;
            else if (a == "--snippets")
                snippets = true;
            else if (file.empty() && a[0] != '-')
                file = a;
            else
                usage();
        }
        if (file.empty())
            usage();
        if (cmd == "search")
            return cmd_search(db, file, n, snippets, warmup, repeat);
        if (cmd == "trec")
            return cmd_trec(db, file, n, words, tag);
        usage();
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian_raw: %s\n", e.get_description().c_str());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "xapian_raw: %s\n", e.what());
    }
    return 2;
}
