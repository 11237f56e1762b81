package org.bpf4j.vm;

import org.bpf4j.asm.Program;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.vm.verifier.Verifier;
import org.bpf4j.vm.verifier.VerifierOptions;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random programs (arithmetic, jumps, a counted loop, context, stack and map value accesses at fixed and
 * variable offsets, null checks or not, atomics): the interpreter and the JIT agree on r0, the context afterwards
 * and any fault; and what the verifier accepts never faults in the interpreter.
 */
class DifferentialTest {
    private record Outcome(long r0, byte[] context, String fault) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome x && x.r0 == r0 && Arrays.equals(x.context, context) && java.util.Objects.equals(x.fault, fault);
        }

        @Override
        public int hashCode() { return Long.hashCode(r0); }

        @Override
        public String toString() { return fault != null ? "fault: " + fault : "r0=0x" + Long.toHexString(r0) + " ctx=" + java.util.HexFormat.of().formatHex(context); }
    }

    private static Outcome run(Program p, Engine engine, long seed) {
        byte[] ctx = RandomPrograms.context(seed);
        try (Vm vm = Vm.builder(p).engine(engine).verify(false).environment(new SyntheticEnvironment()).map(RandomPrograms.VALUES).build()) {
            RandomPrograms.fill(vm.map("vals"));
            long r0 = vm.run(ctx);
            return new Outcome(r0, ctx, null);
        } catch (VmFault f) {
            return new Outcome(0, ctx, f.getMessage());
        }
    }

    @Test
    void interpreterAndJitAgree() {
        int faults = 0;
        for (long seed = 0; seed < 600; seed++) {
            Program p = RandomPrograms.generate(seed, seed % 2 == 0);
            Outcome i = run(p, Engine.INTERPRETER, seed), j = run(p, Engine.JIT, seed);
            long s = seed;
            assertEquals(i, j, () -> "seed " + s + "\n" + p.instructions());
            if (i.fault() != null) faults++;
        }
        assertTrue(faults > 0 && faults < 300, "faults: " + faults + " (the generator should produce some of each)");
    }

    @Test
    void whatTheVerifierAcceptsNeverFaults() {
        int accepted = 0, rejected = 0;
        VerifierOptions options = VerifierOptions.of(RandomPrograms.CONTEXT).withMaps(java.util.Map.of("vals", RandomPrograms.VALUES));
        for (long seed = 0; seed < 2000; seed++) {
            Program p = RandomPrograms.generate(seed, seed % 4 != 0); // a quarter with unchecked, sometimes wild, offsets
            try {
                Verifier.verify(p, "random" + seed, options);
            } catch (VerifierException e) {
                rejected++;
                continue;
            }
            accepted++;
            Outcome o = run(p, Engine.INTERPRETER, seed);
            long s = seed;
            assertNull(o.fault(), () -> "seed " + s + " was accepted but faults: " + o.fault() + "\n" + p.instructions());
        }
        assertTrue(accepted > 400, "accepted " + accepted + ", rejected " + rejected);
        assertTrue(rejected > 100, "accepted " + accepted + ", rejected " + rejected);
        System.out.println("DifferentialTest: verifier accepted " + accepted + " of " + (accepted + rejected) + " random programs; none faulted");
    }
}
