//! A small RFC 4180 reader for subject imports: quoted fields, doubled quotes, CRLF or LF line
//! ends. Spreadsheets export exactly this; a dependency is not worth it for one format.

/// The records of `text`, each a list of fields; blank lines are skipped.
pub(crate) fn parse(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    let mut line = 1;
    loop {
        match chars.next() {
            Some('"') if field.is_empty() => loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => {
                        line += usize::from(c == '\n');
                        field.push(c);
                    }
                    None => return Err(format!("line {line}: unterminated quoted field")),
                }
            },
            Some(',') => record.push(std::mem::take(&mut field)),
            Some('\r') if chars.peek() == Some(&'\n') => {}
            Some('\n') | None => {
                let end = chars.peek().is_none();
                if !(record.is_empty() && field.is_empty()) {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                line += 1;
                if end {
                    return Ok(records);
                }
            }
            Some(c) => field.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_quotes_commas_and_line_ends() {
        let text = "\u{feff}id,name\r\n1,\"Yamada, Taro\"\n\n2,\"say \"\"hi\"\"\nthere\"\n3,";
        assert_eq!(
            parse(text).unwrap(),
            vec![
                vec!["id", "name"],
                vec!["1", "Yamada, Taro"],
                vec!["2", "say \"hi\"\nthere"],
                vec!["3", ""],
            ]
        );
    }

    #[test]
    fn refuses_an_unterminated_quote() {
        assert_eq!(
            parse("id\n\"open").unwrap_err(),
            "line 2: unterminated quoted field"
        );
    }
}
