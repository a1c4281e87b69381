/// A labelling failure a user can act on. `description` is one line.
public struct AnnotationError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// A named sample, annotator or item does not exist.
        public static let notFound = Code(name: "not-found")
        /// The name is taken (a sample or annotator that already exists).
        public static let duplicate = Code(name: "duplicate")
        /// The request cannot be carried out as asked (a design that needs more annotators, an empty sample).
        public static let invalid = Code(name: "invalid")
        /// Carrying it out would discard labels already given.
        public static let wouldLoseLabels = Code(name: "would-lose-labels")
        /// Someone else changed it since it was read (another adjudicator settled the item meanwhile).
        public static let changedMeanwhile = Code(name: "changed-meanwhile")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
