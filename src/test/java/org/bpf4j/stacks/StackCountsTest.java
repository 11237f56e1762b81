package org.bpf4j.stacks;

import org.bpf4j.stacks.StackSymbols.Frame;
import org.bpf4j.stacks.StackSymbols.Kind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** BCC's two layouts of counted stacks: folded (root first) and multi-line (leaf first), with -d, -a, -U, -K. */
class StackCountsTest {
    private static final StackCounts.Stack S = new StackCounts.Stack("java", 42,
            List.of(new Frame("Hot.delta", Kind.JIT), new Frame("Interpreter", Kind.INTERPRETED), new Frame("start_thread", Kind.NATIVE)),
            List.of(new Frame("pvm_irq_enable", Kind.KERNEL), new Frame("asm_sysvec_apic_timer_interrupt", Kind.KERNEL)));
    private static final StackCounts.Stack MISSED = new StackCounts.Stack("sh", 7, null, List.of());

    private static String print(boolean folded, StackCounts.Format f) {
        StackCounts c = new StackCounts();
        c.add(S, 3);
        c.add(MISSED, 1);
        c.add(S, 2);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(b, true, StandardCharsets.UTF_8);
        if (folded) c.printFolded(out, f);
        else c.printStacks(out, f);
        assertEquals(6, c.total());
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void foldedRootFirstFewestFirst() {
        assertEquals("""
                sh;[Missed User Stack] 1
                java;start_thread;Interpreter;Hot.delta;asm_sysvec_apic_timer_interrupt;pvm_irq_enable 5
                """, print(true, new StackCounts.Format(false, false, false, false)));
        assertEquals("""
                sh;[Missed User Stack] 1
                java;start_thread;Interpreter_[i];Hot.delta_[j];-;asm_sysvec_apic_timer_interrupt_[k];pvm_irq_enable_[k] 5
                """, print(true, new StackCounts.Format(false, false, true, true)));
        assertEquals("sh 1\njava;asm_sysvec_apic_timer_interrupt;pvm_irq_enable 5\n",
                print(true, new StackCounts.Format(false, true, false, false)));
    }

    @Test
    void multiLineAsBccPrintsIt() {
        assertEquals("""
                    [Missed User Stack]
                    -                sh (7)
                        1

                    pvm_irq_enable
                    asm_sysvec_apic_timer_interrupt
                    --
                    Hot.delta
                    Interpreter
                    start_thread
                    -                java (42)
                        5

                """, print(false, new StackCounts.Format(false, false, true, false)));
        assertEquals("""
                    [Missed User Stack]
                    -                sh (7)
                        1

                    Hot.delta
                    Interpreter
                    start_thread
                    -                java (42)
                        5

                """, print(false, new StackCounts.Format(true, false, false, false)));
    }
}
