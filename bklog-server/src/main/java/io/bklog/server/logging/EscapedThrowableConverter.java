package io.bklog.server.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * Logback's {@code %ex} with CR and LF escaped ({@code \r}, {@code \n}) inside each exception's message, so a client
 * value carried in an exception message cannot start a forged line of the server log; the stack frames keep their
 * own lines. Registered in logback.xml as {@code %escEx}.
 */
public class EscapedThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return super.throwableProxyToString(escaped(tp));
    }

    /** {@code s} with CR and LF written as the two characters {@code \r} and {@code \n}. */
    public static String escape(String s) {
        if (s == null || (s.indexOf('\r') < 0 && s.indexOf('\n') < 0)) return s;
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    private static IThrowableProxy escaped(IThrowableProxy tp) {
        return tp == null ? null : new Escaped(tp);
    }

    /** A view of a throwable proxy whose messages (its own, its causes', its suppressed') are escaped. */
    private record Escaped(IThrowableProxy tp) implements IThrowableProxy {
        @Override
        public String getMessage() {
            return escape(tp.getMessage());
        }

        @Override
        public String getClassName() {
            return tp.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return tp.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return tp.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return escaped(tp.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] s = tp.getSuppressed();
            if (s == null) return null;
            IThrowableProxy[] out = new IThrowableProxy[s.length];
            for (int i = 0; i < s.length; i++) out[i] = escaped(s[i]);
            return out;
        }

        @Override
        public boolean isCyclic() {
            return tp.isCyclic();
        }
    }
}
