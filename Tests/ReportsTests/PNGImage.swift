import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Just enough PNG decoding to tell a rendered page from a blank one: 8-bit RGB/RGBA, not interlaced (what
/// Chromium writes). zlib is reached through dlopen (libxml2 already loads it) so the test needs no new
/// system-library target.
struct PNGImage {
    var width: Int
    var height: Int
    /// RGBA bytes, row-major.
    var pixels: [UInt8]

    struct DecodeError: Error, CustomStringConvertible { var description: String }

    init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 33, bytes[0..<8] == [137, 80, 78, 71, 13, 10, 26, 10] else { throw DecodeError(description: "not a PNG file") }
        func be32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var offset = 8, idat: [UInt8] = []
        var width = 0, height = 0, colorType = 0, depth = 0, interlace = 0
        while offset + 8 <= bytes.count {
            let length = be32(offset), type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let start = offset + 8
            guard start + length <= bytes.count else { throw DecodeError(description: "truncated chunk \(type)") }
            switch type {
            case "IHDR":
                width = be32(start); height = be32(start + 4)
                depth = Int(bytes[start + 8]); colorType = Int(bytes[start + 9]); interlace = Int(bytes[start + 12])
            case "IDAT": idat += bytes[start..<(start + length)]
            default: break
            }
            offset = start + length + 4
            if type == "IEND" { break }
        }
        guard width > 0, height > 0 else { throw DecodeError(description: "no IHDR") }
        guard depth == 8, colorType == 2 || colorType == 6, interlace == 0 else {
            throw DecodeError(description: "unsupported PNG (depth \(depth), colour type \(colorType), interlace \(interlace))")
        }
        let bpp = colorType == 6 ? 4 : 3, stride = width * bpp
        let raw = try Self.inflate(idat, expected: height * (stride + 1))
        var out = [UInt8](repeating: 0, count: width * height * 4)
        var previous = [UInt8](repeating: 0, count: stride), row = [UInt8](repeating: 0, count: stride)
        for y in 0..<height {
            let base = y * (stride + 1), filter = raw[base]
            for x in 0..<stride {
                let v = raw[base + 1 + x]
                let a = x >= bpp ? Int(row[x - bpp]) : 0, b = Int(previous[x]), c = x >= bpp ? Int(previous[x - bpp]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw DecodeError(description: "bad filter \(filter) in row \(y)")
                }
                row[x] = UInt8(truncatingIfNeeded: Int(v) + predictor)
            }
            for x in 0..<width {
                for k in 0..<3 { out[(y * width + x) * 4 + k] = row[x * bpp + k] }
                out[(y * width + x) * 4 + 3] = bpp == 4 ? row[x * bpp + 3] : 255
            }
            swap(&previous, &row)
        }
        self.width = width
        self.height = height
        self.pixels = out
    }

    /// Distinct colours (RGB), counted up to `limit`.
    func distinctColors(limit: Int = 1000) -> Int {
        var seen = Set<UInt32>()
        var i = 0
        while i < pixels.count && seen.count < limit {
            seen.insert(UInt32(pixels[i]) << 16 | UInt32(pixels[i + 1]) << 8 | UInt32(pixels[i + 2]))
            i += 4
        }
        return seen.count
    }

    /// Share of pixels that differ from the top-left pixel (the page background).
    var nonBackgroundShare: Double {
        let r = pixels[0], g = pixels[1], b = pixels[2]
        var n = 0
        var i = 0
        while i < pixels.count {
            if pixels[i] != r || pixels[i + 1] != g || pixels[i + 2] != b { n += 1 }
            i += 4
        }
        return Double(n) / Double(width * height)
    }

    typealias Uncompress = @convention(c) (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt) -> Int32

    static func inflate(_ data: [UInt8], expected: Int) throws -> [UInt8] {
        guard let handle = dlopen("libz.so.1", RTLD_NOW) ?? dlopen("libz.so", RTLD_NOW), let symbol = dlsym(handle, "uncompress") else {
            throw DecodeError(description: "zlib (libz.so.1) not found")
        }
        let uncompress = unsafeBitCast(symbol, to: Uncompress.self)
        var out = [UInt8](repeating: 0, count: expected)
        var length = UInt(expected)
        let rc = out.withUnsafeMutableBufferPointer { o in data.withUnsafeBufferPointer { i in uncompress(o.baseAddress, &length, i.baseAddress, UInt(i.count)) } }
        guard rc == 0, Int(length) == expected else { throw DecodeError(description: "zlib uncompress failed (rc \(rc), \(length) of \(expected) bytes)") }
        return out
    }
}
