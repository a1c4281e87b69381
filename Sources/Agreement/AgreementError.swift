/// Why a statistic could not be computed from the data given. `description` is one line.
public struct AgreementError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// Counts or codes do not fit the declared shape.
        public static let invalidShape = Code(name: "invalid-shape")
        /// A category index outside the scheme, or a negative count.
        public static let invalidCategory = Code(name: "invalid-category")
        /// Too little data: no item with two ratings, or a statistic whose denominator is zero.
        public static let insufficientData = Code(name: "insufficient-data")
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
