import CLibXML2
import Foundation

/// Validates XML against an XSD with libxml2's schema API. The document is parsed with XML_PARSE_NONET and
/// without XML_PARSE_NOENT (no entity expansion, no DTD loading), so a report cannot make the check reach out.
struct JUnitSchema {
    let schemaPath: String

    final class Messages: @unchecked Sendable {
        var lines: [String] = []
    }

    /// The validation errors (empty when valid); a parse failure is one error.
    func validate(_ xml: String) -> [String] {
        guard let parser = xmlSchemaNewParserCtxt(schemaPath) else { return ["cannot read schema \(schemaPath)"] }
        defer { xmlSchemaFreeParserCtxt(parser) }
        guard let schema = xmlSchemaParse(parser) else { return ["schema \(schemaPath) does not parse"] }
        defer { xmlSchemaFree(schema) }
        guard let context = xmlSchemaNewValidCtxt(schema) else { return ["cannot make a validation context"] }
        defer { xmlSchemaFreeValidCtxt(context) }
        let messages = Messages()
        let box = Unmanaged.passRetained(messages)
        defer { box.release() }
        xmlSchemaSetValidStructuredErrors(context, { userData, error in
            guard let userData, let error else { return }
            let messages = Unmanaged<Messages>.fromOpaque(userData).takeUnretainedValue()
            let text = error.pointee.message.map { String(cString: $0) } ?? "error"
            messages.lines.append("line \(error.pointee.line): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }, box.toOpaque())
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let bytes = Array(xml.utf8)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), "junit.xml", "UTF-8", options)
            }
        }
        guard let document else { return ["the document is not well-formed XML"] }
        defer { xmlFreeDoc(document) }
        let rc = xmlSchemaValidateDoc(context, document)
        if rc == 0 { return [] }
        return messages.lines.isEmpty ? ["invalid (libxml2 code \(rc))"] : messages.lines
    }
}
