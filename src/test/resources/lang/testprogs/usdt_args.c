// cc: -O2 -g
// Stand-in for bpftrace's testprogs/usdt_args (written for bpf4j): eight probes in each of three families, one
// for each of u64 s64 u32 s32 u16 s16 u8 s8 in that order, all of the bit pattern 0xf7f6f5f4f3f2f1f0 cut to size:
// const_* with immediate operands, reg_* with registers, addr_* with base+offset memory operands (a union on the
// stack, as v0.26's test program), index_* with base+index*scale memory operands.
#include <stdint.h>
#include <string.h>
#include <sys/sdt.h>

#define U64 0xf7f6f5f4f3f2f1f0ULL
volatile uint64_t v_u64 = U64;
volatile int64_t v_s64 = (int64_t)U64;
volatile uint32_t v_u32 = (uint32_t)U64;
volatile int32_t v_s32 = (int32_t)U64;
volatile uint16_t v_u16 = (uint16_t)U64;
volatile int16_t v_s16 = (int16_t)U64;
volatile uint8_t v_u8 = (uint8_t)U64;
volatile int8_t v_s8 = (int8_t)U64;

uint64_t a_u64[2] = {0, U64};
int64_t a_s64[2] = {0, (int64_t)U64};
uint32_t a_u32[2] = {0, (uint32_t)U64};
int32_t a_s32[2] = {0, (int32_t)U64};
uint16_t a_u16[2] = {0, (uint16_t)U64};
int16_t a_s16[2] = {0, (int16_t)U64};
uint8_t a_u8[2] = {0, (uint8_t)U64};
int8_t a_s8[2] = {0, (int8_t)U64};
volatile int one = 1;

union all_types { int8_t s8; uint8_t u8; uint16_t u16; int16_t s16; uint32_t u32; int32_t s32; uint64_t u64; int64_t s64; };

/* Each probe reads its operand from the stack, at an offset of the frame or stack pointer. */
__attribute__((noinline)) static void addresses(void) {
    volatile union all_types array[4];
    for (int k = 0; k < 4; k++) array[k].u64 = U64;
    STAP_PROBE1(usdt_args, addr_u64, array[1].u64);
    STAP_PROBE1(usdt_args, addr_s64, array[1].s64);
    STAP_PROBE1(usdt_args, addr_u32, array[1].u32);
    STAP_PROBE1(usdt_args, addr_s32, array[1].s32);
    STAP_PROBE1(usdt_args, addr_u16, array[1].u16);
    STAP_PROBE1(usdt_args, addr_s16, array[1].s16);
    STAP_PROBE1(usdt_args, addr_u8, array[1].u8);
    STAP_PROBE1(usdt_args, addr_s8, array[1].s8);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "should_not_skip") == 0) return 0;
    STAP_PROBE1(usdt_args, const_u64, (uint64_t)U64);
    STAP_PROBE1(usdt_args, const_s64, (int64_t)U64);
    STAP_PROBE1(usdt_args, const_u32, (uint32_t)U64);
    STAP_PROBE1(usdt_args, const_s32, (int32_t)U64);
    STAP_PROBE1(usdt_args, const_u16, (uint16_t)U64);
    STAP_PROBE1(usdt_args, const_s16, (int16_t)U64);
    STAP_PROBE1(usdt_args, const_u8, (uint8_t)U64);
    STAP_PROBE1(usdt_args, const_s8, (int8_t)U64);

    uint64_t r_u64 = v_u64; int64_t r_s64 = v_s64; uint32_t r_u32 = v_u32; int32_t r_s32 = v_s32;
    uint16_t r_u16 = v_u16; int16_t r_s16 = v_s16; uint8_t r_u8 = v_u8; int8_t r_s8 = v_s8;
    __asm__ volatile("" : "+r"(r_u64), "+r"(r_s64), "+r"(r_u32), "+r"(r_s32));
    __asm__ volatile("" : "+r"(r_u16), "+r"(r_s16), "+r"(r_u8), "+r"(r_s8));
    STAP_PROBE1(usdt_args, reg_u64, r_u64);
    STAP_PROBE1(usdt_args, reg_s64, r_s64);
    STAP_PROBE1(usdt_args, reg_u32, r_u32);
    STAP_PROBE1(usdt_args, reg_s32, r_s32);
    STAP_PROBE1(usdt_args, reg_u16, r_u16);
    STAP_PROBE1(usdt_args, reg_s16, r_s16);
    STAP_PROBE1(usdt_args, reg_u8, r_u8);
    STAP_PROBE1(usdt_args, reg_s8, r_s8);

    addresses();
    long i = one;
    __asm__ volatile("" : "+r"(i));
    STAP_PROBE1(usdt_args, index_u64, a_u64[i]);
    STAP_PROBE1(usdt_args, index_s64, a_s64[i]);
    STAP_PROBE1(usdt_args, index_u32, a_u32[i]);
    STAP_PROBE1(usdt_args, index_s32, a_s32[i]);
    STAP_PROBE1(usdt_args, index_u16, a_u16[i]);
    STAP_PROBE1(usdt_args, index_s16, a_s16[i]);
    STAP_PROBE1(usdt_args, index_u8, a_u8[i]);
    STAP_PROBE1(usdt_args, index_s8, a_s8[i]);
    return 0;
}
