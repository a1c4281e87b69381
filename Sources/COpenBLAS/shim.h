// OpenBLAS's CBLAS interface for the float64 reference interpreter (GEMM for dense, matmul and im2col conv).
#ifndef DEFECTLAB_COPENBLAS_SHIM_H
#define DEFECTLAB_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
