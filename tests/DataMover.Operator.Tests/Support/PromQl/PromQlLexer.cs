namespace DataMover.Operator.Tests.Support.PromQl;

/// <summary>Splits a PromQL expression into tokens; a character PromQL does not know is an error.</summary>
internal static class PromQlLexer
{
    private static readonly string[] Operators = ["==", "!=", ">=", "<=", "=~", "!~", "+", "-", "*", "/", "%", "^", ">", "<", "="];

    public static List<PromQlToken> Tokenize(string text)
    {
        var tokens = new List<PromQlToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            var start = i;
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or ':'))
                {
                    i++;
                }

                tokens.Add(new PromQlToken(PromQlTokenKind.Identifier, text[start..i], start));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(NumberOrDuration(text, ref i));
            }
            else if (c is '"' or '\'')
            {
                i++;
                while (i < text.Length && text[i] != c)
                {
                    i += text[i] == '\\' ? 2 : 1;
                }

                if (i >= text.Length)
                {
                    throw new FormatException($"unterminated string at {start}");
                }

                i++;
                tokens.Add(new PromQlToken(PromQlTokenKind.String, text[(start + 1)..(i - 1)], start));
            }
            else if (Single(c) is { } kind)
            {
                i++;
                tokens.Add(new PromQlToken(kind, c.ToString(), start));
            }
            else if (Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0) is { } op)
            {
                i += op.Length;
                tokens.Add(new PromQlToken(PromQlTokenKind.Operator, op, start));
            }
            else
            {
                throw new FormatException($"unexpected character '{c}' at {i}");
            }
        }

        tokens.Add(new PromQlToken(PromQlTokenKind.End, "", text.Length));
        return tokens;
    }

    private static PromQlTokenKind? Single(char c) => c switch
    {
        '(' => PromQlTokenKind.LeftParen,
        ')' => PromQlTokenKind.RightParen,
        '{' => PromQlTokenKind.LeftBrace,
        '}' => PromQlTokenKind.RightBrace,
        '[' => PromQlTokenKind.LeftBracket,
        ']' => PromQlTokenKind.RightBracket,
        ',' => PromQlTokenKind.Comma,
        ':' => PromQlTokenKind.Colon,
        '@' => PromQlTokenKind.At,
        _ => null,
    };

    /// <summary>A number, or a duration such as 5m, 1h30m or 500ms when units follow the digits directly.</summary>
    private static PromQlToken NumberOrDuration(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }

        if (i < text.Length && text[i] is 'e' or 'E' && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text[i + 1] is '+' or '-'))
        {
            i += 2;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            return new PromQlToken(PromQlTokenKind.Number, text[start..i], start);
        }

        if (i >= text.Length || !char.IsAsciiLetter(text[i]))
        {
            return new PromQlToken(PromQlTokenKind.Number, text[start..i], start);
        }

        // Units in order, each once: y w d h m s ms.
        while (i < text.Length && char.IsAsciiLetterOrDigit(text[i]))
        {
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                throw new FormatException($"duration without a unit at {start}");
            }

            var unit = i + 1 < text.Length && text[i] == 'm' && text[i + 1] == 's' ? "ms" : text[i].ToString();
            if (unit is not ("y" or "w" or "d" or "h" or "m" or "s" or "ms"))
            {
                throw new FormatException($"bad duration unit '{unit}' at {i}");
            }

            i += unit.Length;
        }

        return new PromQlToken(PromQlTokenKind.Duration, text[start..i], start);
    }
}
