extension String {
    /// `utf8` as a string, nil if it is not UTF-8. Validated once by `UTF8Span`: the generic
    /// `String(validating:as:)` looked its types up at every call, a tenth of parsing an import's lines,
    /// and a replay reads millions of strings.
    init?(validUTF8 utf8: UnsafeBufferPointer<UInt8>) {
        guard let span = try? UTF8Span(validating: utf8.span) else { return nil }
        self.init(copying: span)
    }
}
