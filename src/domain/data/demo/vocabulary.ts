/**
 * Clinical vocabulary for the demo notes. Plausible pairings (drug → dose, frequency, indication;
 * test → result) so that questions have one sensible answer, as in emrQA's discharge summaries.
 * Invented for this app; no patient data.
 */

export interface Medication {
  name: string;
  doses: string[];
  frequencies: string[];
  reasons: string[];
}

export interface LabTest {
  name: string;
  results: string[];
}

export const MEDICATIONS: Medication[] = [
  { name: 'lisinopril', doses: ['5 mg', '10 mg', '20 mg', '40 mg'], frequencies: ['daily', 'once daily'], reasons: ['hypertension', 'proteinuria'] },
  { name: 'metoprolol', doses: ['12.5 mg', '25 mg', '50 mg', '100 mg'], frequencies: ['twice daily', 'daily'], reasons: ['atrial fibrillation', 'hypertension', 'rate control'] },
  { name: 'furosemide', doses: ['20 mg', '40 mg', '80 mg'], frequencies: ['daily', 'twice daily'], reasons: ['fluid overload', 'lower extremity edema', 'pulmonary edema'] },
  { name: 'metformin', doses: ['500 mg', '850 mg', '1000 mg'], frequencies: ['twice daily', 'with meals'], reasons: ['type 2 diabetes', 'glycemic control'] },
  { name: 'insulin glargine', doses: ['10 units', '18 units', '24 units', '30 units'], frequencies: ['at bedtime', 'every evening'], reasons: ['type 2 diabetes', 'hyperglycemia'] },
  { name: 'atorvastatin', doses: ['10 mg', '20 mg', '40 mg', '80 mg'], frequencies: ['at bedtime', 'daily'], reasons: ['hyperlipidemia', 'coronary artery disease'] },
  { name: 'aspirin', doses: ['81 mg', '325 mg'], frequencies: ['daily'], reasons: ['coronary artery disease', 'stroke prevention'] },
  { name: 'warfarin', doses: ['2 mg', '2.5 mg', '5 mg', '7.5 mg'], frequencies: ['daily', 'every evening'], reasons: ['atrial fibrillation', 'deep vein thrombosis', 'pulmonary embolism'] },
  { name: 'apixaban', doses: ['2.5 mg', '5 mg'], frequencies: ['twice daily'], reasons: ['atrial fibrillation', 'deep vein thrombosis'] },
  { name: 'amlodipine', doses: ['2.5 mg', '5 mg', '10 mg'], frequencies: ['daily'], reasons: ['hypertension'] },
  { name: 'levothyroxine', doses: ['25 mcg', '50 mcg', '75 mcg', '100 mcg'], frequencies: ['every morning', 'daily'], reasons: ['hypothyroidism'] },
  { name: 'omeprazole', doses: ['20 mg', '40 mg'], frequencies: ['daily', 'twice daily'], reasons: ['gastroesophageal reflux', 'GI prophylaxis'] },
  { name: 'pantoprazole', doses: ['40 mg'], frequencies: ['daily', 'twice daily'], reasons: ['gastritis', 'GI prophylaxis'] },
  { name: 'prednisone', doses: ['5 mg', '10 mg', '20 mg', '40 mg'], frequencies: ['daily', 'every morning'], reasons: ['COPD exacerbation', 'gout flare', 'asthma exacerbation'] },
  { name: 'albuterol', doses: ['2 puffs', '2.5 mg nebulized'], frequencies: ['every 4 hours as needed', 'every 6 hours as needed'], reasons: ['wheezing', 'shortness of breath'] },
  { name: 'ceftriaxone', doses: ['1 g', '2 g'], frequencies: ['every 24 hours', 'daily'], reasons: ['community-acquired pneumonia', 'urinary tract infection'] },
  { name: 'vancomycin', doses: ['1 g', '1.25 g', '1.5 g'], frequencies: ['every 12 hours'], reasons: ['cellulitis', 'MRSA bacteremia'] },
  { name: 'levofloxacin', doses: ['500 mg', '750 mg'], frequencies: ['daily'], reasons: ['community-acquired pneumonia', 'urinary tract infection'] },
  { name: 'nitrofurantoin', doses: ['100 mg'], frequencies: ['twice daily'], reasons: ['urinary tract infection'] },
  { name: 'gabapentin', doses: ['100 mg', '300 mg', '600 mg'], frequencies: ['three times daily', 'at bedtime'], reasons: ['neuropathic pain', 'diabetic neuropathy'] },
  { name: 'oxycodone', doses: ['5 mg', '10 mg'], frequencies: ['every 6 hours as needed', 'every 4 hours as needed'], reasons: ['postoperative pain', 'pain'] },
  { name: 'acetaminophen', doses: ['500 mg', '650 mg', '1000 mg'], frequencies: ['every 6 hours as needed', 'every 8 hours'], reasons: ['pain', 'fever'] },
  { name: 'heparin', doses: ['5000 units'], frequencies: ['every 8 hours', 'every 12 hours'], reasons: ['DVT prophylaxis'] },
  { name: 'enoxaparin', doses: ['40 mg', '1 mg/kg'], frequencies: ['daily', 'every 12 hours'], reasons: ['DVT prophylaxis', 'deep vein thrombosis'] },
  { name: 'potassium chloride', doses: ['20 mEq', '40 mEq'], frequencies: ['daily', 'twice daily'], reasons: ['hypokalemia'] },
  { name: 'spironolactone', doses: ['12.5 mg', '25 mg'], frequencies: ['daily'], reasons: ['heart failure', 'ascites'] },
  { name: 'carvedilol', doses: ['3.125 mg', '6.25 mg', '12.5 mg'], frequencies: ['twice daily'], reasons: ['heart failure', 'hypertension'] },
  { name: 'digoxin', doses: ['0.125 mg', '0.25 mg'], frequencies: ['daily'], reasons: ['atrial fibrillation', 'heart failure'] },
  { name: 'sertraline', doses: ['25 mg', '50 mg', '100 mg'], frequencies: ['daily'], reasons: ['depression', 'anxiety'] },
  { name: 'lorazepam', doses: ['0.5 mg', '1 mg'], frequencies: ['at bedtime as needed', 'every 8 hours as needed'], reasons: ['anxiety', 'insomnia', 'alcohol withdrawal'] },
  { name: 'allopurinol', doses: ['100 mg', '300 mg'], frequencies: ['daily'], reasons: ['gout'] },
  { name: 'tamsulosin', doses: ['0.4 mg'], frequencies: ['at bedtime', 'daily'], reasons: ['benign prostatic hyperplasia', 'urinary retention'] },
  { name: 'ondansetron', doses: ['4 mg', '8 mg'], frequencies: ['every 8 hours as needed'], reasons: ['nausea'] },
  { name: 'hydralazine', doses: ['10 mg', '25 mg', '50 mg'], frequencies: ['three times daily', 'every 6 hours'], reasons: ['hypertension', 'heart failure'] },
  { name: 'clopidogrel', doses: ['75 mg'], frequencies: ['daily'], reasons: ['coronary stent', 'coronary artery disease'] },
  { name: 'diltiazem', doses: ['30 mg', '120 mg', '180 mg'], frequencies: ['daily', 'four times daily'], reasons: ['atrial fibrillation', 'rate control'] },
];

export const TESTS: LabTest[] = [
  { name: 'hemoglobin A1c', results: ['6.8%', '7.4%', '8.1%', '9.6%', '10.2%'] },
  { name: 'chest x-ray', results: ['mild pulmonary edema', 'a right lower lobe infiltrate', 'no acute process', 'small bilateral pleural effusions', 'cardiomegaly'] },
  { name: 'echocardiogram', results: ['an ejection fraction of 35%', 'an ejection fraction of 55%', 'moderate mitral regurgitation', 'an ejection fraction of 25%'] },
  { name: 'creatinine', results: ['1.1 mg/dL', '1.4 mg/dL', '2.3 mg/dL', '3.0 mg/dL'] },
  { name: 'potassium', results: ['3.1 mEq/L', '2.9 mEq/L', '5.6 mEq/L', '4.2 mEq/L'] },
  { name: 'head CT', results: ['no acute hemorrhage', 'an old left frontal infarct', 'no acute intracranial process'] },
  { name: 'troponin', results: ['0.04 ng/mL', '0.52 ng/mL', 'negative', '1.8 ng/mL'] },
  { name: 'ECG', results: ['atrial fibrillation with rapid ventricular response', 'normal sinus rhythm', 'ST depressions in the lateral leads', 'a new left bundle branch block'] },
  { name: 'urinalysis', results: ['positive leukocyte esterase', 'large blood', 'no evidence of infection'] },
  { name: 'blood cultures', results: ['no growth', 'gram-positive cocci in clusters', 'Escherichia coli'] },
  { name: 'INR', results: ['1.2', '2.4', '3.8', '5.1'] },
  { name: 'white blood cell count', results: ['14.2', '18.5', '7.9', '3.1'] },
  { name: 'lower extremity ultrasound', results: ['a left popliteal deep vein thrombosis', 'no deep vein thrombosis'] },
  { name: 'BNP', results: ['850 pg/mL', '1200 pg/mL', '95 pg/mL'] },
  { name: 'TSH', results: ['0.2 mIU/L', '8.7 mIU/L', '2.1 mIU/L'] },
];

export const DIAGNOSES: string[] = [
  'congestive heart failure',
  'type 2 diabetes mellitus',
  'community-acquired pneumonia',
  'atrial fibrillation',
  'chronic kidney disease',
  'COPD exacerbation',
  'urinary tract infection',
  'cellulitis of the left leg',
  'deep vein thrombosis',
  'acute kidney injury',
  'hypertensive urgency',
  'non-ST elevation myocardial infarction',
  'diabetic ketoacidosis',
  'upper gastrointestinal bleed',
  'syncope',
  'alcohol withdrawal',
  'hyponatremia',
  'sepsis',
];

export const COMPLAINTS: string[] = [
  'shortness of breath',
  'chest pain',
  'fever and cough',
  'dizziness',
  'abdominal pain',
  'worsening leg swelling',
  'confusion',
  'palpitations',
  'a fall at home',
  'dysuria',
  'nausea and vomiting',
  'weakness',
];

export const SERVICES = ['medicine', 'cardiology', 'the intensive care unit', 'general surgery', 'the step-down unit'];
