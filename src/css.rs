//! The modal's stylesheet minifier, run at compile time (`const fn`) so the source stays
//! readable and the download stays small.

/// Whether whitespace next to `byte` carries no meaning in CSS (outside strings).
const fn css_punct(byte: u8) -> bool {
    matches!(byte, b'{' | b'}' | b';' | b',')
}

/// Copies `src` into `out` without comments, runs of whitespace, whitespace around `{};,`,
/// after `:`, and `;` before `}`; returns the length written.
pub const fn minify(src: &[u8], out: &mut [u8]) -> usize {
    let mut len = 0;
    let mut i = 0;
    let mut pending_space = false;
    while i < src.len() {
        let byte = src[i];
        if byte == b'/' && i + 1 < src.len() && src[i + 1] == b'*' {
            i += 2;
            while i + 1 < src.len() && !(src[i] == b'*' && src[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        if byte.is_ascii_whitespace() {
            pending_space = true;
            i += 1;
            continue;
        }
        if byte == b'}' && len > 0 && out[len - 1] == b';' {
            len -= 1;
        }
        if pending_space
            && len > 0
            && !css_punct(out[len - 1])
            && out[len - 1] != b':'
            && !css_punct(byte)
        {
            out[len] = b' ';
            len += 1;
        }
        pending_space = false;
        out[len] = byte;
        len += 1;
        i += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minified(src: &str) -> String {
        let mut out = vec![0; src.len()];
        let len = minify(src.as_bytes(), &mut out);
        out.truncate(len);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn drops_comments_and_optional_whitespace() {
        assert_eq!(
            minified("/* the dialog */\n.a  .b {\n  color: red;\n  margin: 0 auto;\n}\n"),
            ".a .b{color:red;margin:0 auto}"
        );
        assert_eq!(minified("a,\n b { }"), "a,b{}");
        assert_eq!(minified(""), "");
    }
}
