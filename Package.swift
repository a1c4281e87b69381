// swift-tools-version: 6.2
// DefectLab: mining and fuzzing deep-learning framework defects under one HP taxonomy.
// Module map: ../shared/DESIGN.md (one module per job; the executable only parses arguments).
import PackageDescription

let package = Package(
    name: "DefectLab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "defectlab", targets: ["defectlab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System-library shims: C hidden behind Swift types in the modules that use them.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CNCursesW", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),

        .target(name: "Taxonomy", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Store", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Doctor", dependencies: ["CCurl", "CLibXML2", "CNCursesW", "Store"]),
        // Labelling (issue 5): sampling, assignment designs, sessions, adjudication; the ncurses screens on top.
        .target(name: "Annotation", dependencies: ["Store", "Taxonomy", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "TerminalUI", dependencies: ["CNCursesW", "Annotation", "Taxonomy"]),

        .executableTarget(
            name: "defectlab",
            dependencies: [
                "Taxonomy", "Store", "Doctor",
                "Annotation", "TerminalUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "SystemLibraryTests", dependencies: ["CCurl", "CLibXML2", "CNCursesW"]),
        .testTarget(name: "TaxonomyTests", dependencies: ["Taxonomy"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "CLITests", dependencies: ["defectlab"]),
        .testTarget(name: "LabellingTests", dependencies: ["Annotation", "Store", "Taxonomy", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "Annotation", "Store", "CNCursesW", .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v6]
)
