// Runs texts through Lucene analyzers built the way Elasticsearch's factories build them,
// and prints each token stream (term and position). Driven by tests/test_es_lucene_parity.py.
//
// Input (UTF-8, one command per line; B64 = base64 of UTF-8):
//   analyzer NAME                 start an analyzer definition
//   tokenizer standard|whitespace MAXLEN
//   filter lowercase|decimal_digit|arabic_normalization|stemmer_arabic|stop_arabic
//   filter stop B64 [B64 ...]     a stop filter with these words (case-sensitive)
//   end                           finish the definition
//   builtin NAME arabic           NAME is Lucene's ArabicAnalyzer itself
//   text NAME B64                 analyze a text; prints one line: B64(term):position ...
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.ar.ArabicNormalizationFilter;
import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;

public class AnalyzeHarness {
    static Base64.Decoder DEC = Base64.getDecoder();
    static Base64.Encoder ENC = Base64.getEncoder();

    static String decode(String b64) {
        return new String(DEC.decode(b64), StandardCharsets.UTF_8);
    }

    /** An analyzer from a tokenizer spec and a list of filter specs, as Elasticsearch wires them. */
    static Analyzer custom(String[] tokenizer, List<String[]> filters) {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String field) {
                int max = Integer.parseInt(tokenizer[2]);
                Tokenizer source;
                switch (tokenizer[1]) {
                    case "standard": {
                        StandardTokenizer t = new StandardTokenizer();
                        t.setMaxTokenLength(max);
                        source = t;
                        break;
                    }
                    case "whitespace":
                        source = new WhitespaceTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, max);
                        break;
                    default:
                        throw new IllegalArgumentException("tokenizer " + tokenizer[1]);
                }
                TokenStream ts = source;
                for (String[] f : filters) {
                    switch (f[1]) {
                        case "lowercase": ts = new LowerCaseFilter(ts); break;
                        case "decimal_digit": ts = new DecimalDigitFilter(ts); break;
                        case "arabic_normalization": ts = new ArabicNormalizationFilter(ts); break;
                        case "stemmer_arabic": ts = new ArabicStemFilter(ts); break;
                        case "stop_arabic": ts = new StopFilter(ts, ArabicAnalyzer.getDefaultStopSet()); break;
                        case "stop": {
                            List<String> words = new ArrayList<>();
                            for (int i = 2; i < f.length; i++) words.add(decode(f[i]));
                            ts = new StopFilter(ts, new CharArraySet(words, false));
                            break;
                        }
                        default: throw new IllegalArgumentException("filter " + f[1]);
                    }
                }
                return new TokenStreamComponents(source, ts);
            }
        };
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        Map<String, Analyzer> analyzers = new HashMap<>();
        String name = null;
        String[] tokenizer = null;
        List<String[]> filters = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            String[] p = line.split(" ");
            switch (p[0]) {
                case "analyzer": name = p[1]; tokenizer = null; filters = new ArrayList<>(); break;
                case "tokenizer": tokenizer = p; break;
                case "filter": filters.add(p); break;
                case "end": analyzers.put(name, custom(tokenizer, filters)); break;
                case "builtin": analyzers.put(p[1], new ArabicAnalyzer()); break;
                case "text": {
                    Analyzer a = analyzers.get(p[1]);
                    StringBuilder sb = new StringBuilder();
                    try (TokenStream ts = a.tokenStream("f", p.length > 2 ? decode(p[2]) : "")) {
                        CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
                        PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
                        ts.reset();
                        int pos = -1;
                        while (ts.incrementToken()) {
                            pos += inc.getPositionIncrement();
                            if (sb.length() > 0) sb.append(' ');
                            sb.append(ENC.encodeToString(term.toString().getBytes(StandardCharsets.UTF_8)));
                            sb.append(':').append(pos);
                        }
                        ts.end();
                    }
                    out.println(sb);
                    break;
                }
                default: throw new IllegalArgumentException("command " + p[0]);
            }
        }
        out.flush();
    }
}
