# Reference values for cem_edu.sem FIML on real survey data (issue #16), lavaan 0.6.
# Run from the repository root:  Rscript tests/reference/sem_fiml_real.R [sections 1 2 3 4; default all]
# Writes tests/reference/sem_fiml_real/*.csv; the Python tests read the same CSV data files.
# Data: psych::bfi (SAPA project, 2,800 respondents; 25 Big-Five items + gender, education, age)
#       psychTools::msq (Revelle & Anderson mood questionnaire, 3,896 rows; 16 mood items used).
suppressPackageStartupMessages({library(lavaan); library(psych); library(psychTools)})
out <- "tests/reference/sem_fiml_real"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
data(bfi, package = "psych")
write.csv(bfi, file.path(out, "bfi.csv"), row.names = FALSE, na = "")
bfi <- read.csv(file.path(out, "bfi.csv"))
data(msq, package = "psychTools")
msq_items <- c("active", "energetic", "vigorous", "lively", "sleepy", "tired", "drowsy", "wakeful",
               "tense", "jittery", "clutched.up", "fearful", "calm", "relaxed", "at.ease", "at.rest")
m <- msq[, msq_items]
names(m) <- gsub(".", "_", names(m), fixed = TRUE)
write.csv(m, file.path(out, "msq_mood.csv"), row.names = FALSE, na = "")
m <- read.csv(file.path(out, "msq_mood.csv"))

bfi_model <- "AF =~ A1 + A2 + A3 + A4 + A5
CF =~ C1 + C2 + C3 + C4 + C5
EF =~ E1 + E2 + E3 + E4 + E5
NF =~ N1 + N2 + N3 + N4 + N5
OF =~ O1 + O2 + O3 + O4 + O5"
mimic_model <- "EF =~ E1 + E2 + E3 + E4 + E5
EF ~ age + gender + education"
msq_model <- "energy =~ active + energetic + vigorous + lively
fatigue =~ sleepy + tired + drowsy + wakeful
tension =~ tense + jittery + clutched_up + fearful
calmness =~ calm + relaxed + at_ease + at_rest"
boot_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ a*visual
speed ~ b*textual + c*visual
indirect := a*b
total := c + a*b"

write_fit <- function(fit, name) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe, file.path(out, paste0(name, "_est.csv")), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  cat(name, ": converged", lavInspect(fit, "converged"), "iter", lavInspect(fit, "iterations"),
      "n", lavInspect(fit, "nobs"), "chisq", fm["chisq"], "df", fm["df"], "npar", fm["npar"], "\n")
}
warn_log <- character()
keep_warn <- function(expr, name) withCallingHandlers(expr, warning = function(w) {
  warn_log <<- c(warn_log, paste0(name, ": ", conditionMessage(w)))
  invokeRestart("muffleWarning")
})

sections <- commandArgs(trailingOnly = TRUE)
run <- function(k) length(sections) == 0 || k %in% sections
# 1. bfi five-factor CFA under FIML, ML and MLR
if (run("1")) {
write_fit(cfa(bfi_model, data = bfi, missing = "ml"), "bfi_fiml")
write_fit(cfa(bfi_model, data = bfi, missing = "ml", estimator = "MLR"), "bfi_fiml_mlr")

}
# 2. MIMIC with covariates under FIML: complete covariates (rows with education observed) and
#    missing covariates (all rows; fixed.x = TRUE drops the rows with a missing covariate)
if (run("2")) {
bfi_cc <- bfi[!is.na(bfi$education), ]
write_fit(keep_warn(sem(mimic_model, data = bfi_cc, missing = "ml"), "mimic_cc_fx"), "mimic_cc_fx")
write_fit(keep_warn(sem(mimic_model, data = bfi_cc, missing = "ml", fixed.x = FALSE), "mimic_cc_nofx"),
          "mimic_cc_nofx")
write_fit(keep_warn(sem(mimic_model, data = bfi, missing = "ml"), "mimic_na_fx"), "mimic_na_fx")
write_fit(keep_warn(sem(mimic_model, data = bfi, missing = "ml", fixed.x = FALSE), "mimic_na_nofx"),
          "mimic_na_nofx")
write_fit(keep_warn(sem(mimic_model, data = bfi, missing = "ml", estimator = "MLR"), "mimic_na_fx_mlr"),
          "mimic_na_fx_mlr")

}
# 3. mood survey (msq), four factors, FIML
if (run("3")) write_fit(keep_warn(cfa(msq_model, data = m, missing = "ml"), "msq_fiml"), "msq_fiml")

# 4. bootstrap under FIML on the MCAR Holzinger-Swineford data (tests/reference/sem_extras/hs_mcar.csv)
if (run("4")) {
hsm <- read.csv("tests/reference/sem_extras/hs_mcar.csv")
write_fit(sem(boot_model, data = hsm, missing = "ml"), "hs_boot_fiml_point")
set.seed(16)
fb <- sem(boot_model, data = hsm, missing = "ml", se = "bootstrap", bootstrap = 1000)
write.csv(parameterEstimates(fb, boot.ci.type = "perc"), file.path(out, "hs_boot_fiml_perc.csv"), row.names = FALSE)
write.csv(parameterEstimates(fb, boot.ci.type = "bca.simple"), file.path(out, "hs_boot_fiml_bca.csv"),
          row.names = FALSE)
cat("bootstrap draws kept:", nrow(lavInspect(fb, "boot")), "\n")
}
# 5. the same MIMIC, listwise, MLR, fixed.x FALSE (the baseline keeps the covariates' block free)
if (run("5")) write_fit(sem(mimic_model, data = bfi, estimator = "MLR", fixed.x = FALSE), "mimic_lw_nofx_mlr")
if (length(warn_log)) writeLines(warn_log, file.path(out, paste0("warnings_", paste(sections, collapse = ""), ".txt")))
cat("done\n")
