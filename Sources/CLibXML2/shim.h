// libxml2 for Swift. libxml2's headers pull in ICU, which clashes with Foundation's own ICU module
// ("'UErrorCode' has different definitions"); turning ICU off before the other headers avoids it.
#ifndef DEFECTLAB_CLIBXML2_SHIM_H
#define DEFECTLAB_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

/// `xmlFree` is a global function pointer, which Swift 6 rejects as shared mutable state.
static inline void cxml_free(void *p) { xmlFree(p); }
/// The libxml2 version string, for `defectlab doctor`.
static inline const char *cxml_version_string(void) { return LIBXML_DOTTED_VERSION; }
/// Safe options for untrusted HTML: no network, no entity expansion, no error spam on stderr.
static inline int cxml_safe_html_options(void) {
    return HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER | HTML_PARSE_NOBLANKS;
}
#endif
