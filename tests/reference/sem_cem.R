# lavaan references for the bundled CEM model (questionnaire/cem.yaml -> inst.model()) on the
# cleaned bundled survey. Inputs are written by Python so both sides read identical numbers:
#   python tests/reference/psychometrics/export_cem.py      (cleaned items -> psychometrics/cem_clean.csv)
#   python -c "import cem_edu as ce; open('tests/reference/sem_cem/model.lav','w').write(ce.load_instrument().model())"
# Run from the repository root:  Rscript tests/reference/sem_cem.R
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_cem"
d <- read.csv("tests/reference/psychometrics/cem_clean.csv")
model <- paste(readLines(file.path(out, "model.lav")), collapse = "\n")
keep <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea",
          "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "logl", "unrestricted.logl", "aic", "bic", "ntotal")
write_fit <- function(fit, name, extra = character()) {
  fm <- fitMeasures(fit, c(keep, extra))
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(out, paste0(name, "_fit.csv")),
            row.names = FALSE)
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all")],
            file.path(out, paste0(name, "_estimates.csv")), row.names = FALSE, na = "")
}
write_fit(sem(model, data = d), "ml")
write_fit(sem(model, data = d, missing = "ml"), "fiml")
write_fit(sem(model, data = d, estimator = "MLR"), "mlr",
          c("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust", "rmsea.robust"))
cat("lavaan", as.character(packageVersion("lavaan")), "\n", file = file.path(out, "VERSION"))
