namespace DataMover.Operator.Tests.Support.PromQl;

internal enum PromQlTokenKind
{
    Identifier,
    Number,
    Duration,
    String,
    Operator,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    At,
    End,
}
