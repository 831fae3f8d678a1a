/*
 * module.c: the entry of the readers module, nsearch-readers.so (see
 * readers.h): the one symbol the module exports.
 */
#include "corpus/loader/readers.h"

__attribute__((visibility("default"))) extern const ns__readers_api
    ns__readers_module;

const ns__readers_api ns__readers_module = {
    NS_READERS_ABI,  NS_VERSION_STRING, ns__corpus_walk_skip,
    ns__corpus_absolute_path, ns__format_slot, ns_format_name,
};
