/// A necessary condition for a detector's expression to match, cheap enough to test on
/// every string before the expression runs: at least `minimumLength` UTF-8 bytes, and one of
/// `literals` somewhere in the text (ASCII case ignored when `ignoringCase`).
///
/// Most strings a tool or an analysis redacts (names, phases, timestamps, IPs) contain no
/// literal of any detector, and skipping nine regular-expression scans of each was the
/// largest cost of redacting a page of pods. A hint must hold for every possible match: a
/// hint that rejects a matching text would leak a secret. Text with non-ASCII bytes is always
/// admitted, because case-insensitive matching folds some non-ASCII letters (`ſ`, the Kelvin
/// sign) to ASCII ones.
struct LiteralHint: Sendable {
    let literals: [[UInt8]]
    let ignoringCase: Bool
    let minimumLength: Int

    init(_ literals: [String], ignoringCase: Bool = false, minimumLength: Int = 0) {
        self.literals = literals.map { Array(ignoringCase ? $0.lowercased().utf8 : $0.utf8) }
        self.ignoringCase = ignoringCase
        self.minimumLength = minimumLength
    }

    /// Whether the expression may match `text`; false only when it cannot.
    func admits(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            if bytes.count < minimumLength { return false }
            if literals.isEmpty || bytes.contains(where: { $0 >= 0x80 }) { return true }
            return literals.contains { Self.occurs($0, in: bytes, ignoringCase: ignoringCase) }
        }
    }

    private static func occurs(_ literal: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, ignoringCase: Bool) -> Bool {
        guard !literal.isEmpty, bytes.count >= literal.count else { return literal.isEmpty }
        let first = literal[0]
        for start in 0...(bytes.count - literal.count) where fold(bytes[start], ignoringCase) == first {
            var index = 1
            while index < literal.count, fold(bytes[start + index], ignoringCase) == literal[index] { index += 1 }
            if index == literal.count { return true }
        }
        return false
    }

    @inline(__always)
    private static func fold(_ byte: UInt8, _ ignoringCase: Bool) -> UInt8 {
        ignoringCase && byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
