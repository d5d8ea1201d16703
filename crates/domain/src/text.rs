//! Reading text files as people's spreadsheets save them.

/// Decodes a file's bytes as UTF-8 (a BOM stripped) or, failing that, as GBK, which is what
/// Excel on a Chinese Windows and most banks' clients save; `None` if it is neither.
#[must_use]
pub fn decode_utf8_or_gbk(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.to_owned());
    }
    // Without BOM sniffing: bytes FF FE would otherwise be taken for UTF-16.
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
    (!had_errors).then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_bom_and_gbk() {
        assert_eq!(
            decode_utf8_or_gbk("成功".as_bytes()).as_deref(),
            Some("成功")
        );
        assert_eq!(decode_utf8_or_gbk(b"\xEF\xBB\xBFok").as_deref(), Some("ok"));
        let (gbk, _, _) = encoding_rs::GBK.encode("失败原因");
        assert_eq!(decode_utf8_or_gbk(&gbk).as_deref(), Some("失败原因"));
        assert_eq!(decode_utf8_or_gbk(b"\xFF\xFF\xFF"), None);
    }
}
