"""Reports as documents: sections of tables, notes, charts and pictures, written as Markdown, HTML or text."""
